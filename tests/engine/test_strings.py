"""String functions, string predicates and the regex dialect: exact results (columns, types, rows).
Each test cites the Microsoft doc page (data-explorer/kusto/query/...) or semantics.md section it checks."""
from __future__ import annotations

import pytest

from kqlhunt import KqlError

KELVIN = "\u212a"


def q(engine, text):
    r = engine.query(text)
    return r.columns, r.types, r.rows


def test_has_family_appendix(engine):
    """semantics.md appendix (measured against the Kusto emulator): a boundary only at an edge whose needle
    character is a term character; underscore delimits; has "" is true."""
    cols, types, rows = q(engine, 'print a = "xa b" has "a ", b = "a b" has "a ", c = "x ab y" has " a", '
                                  'd = "b .b-" has " ", e = "abc" has "", f = "a_b" has "a", '
                                  'g = "x-error" hasprefix "err", h = "x-error" hassuffix "err"')
    assert types == ["bool"] * 8
    assert rows == [(False, True, False, True, True, True, True, False)]


def test_has_terms_doc(engine):
    """datatypes-string-operators.md: has is a whole-term match, hasprefix/hassuffix work on any term."""
    assert q(engine, 'print a = "KustoExplorerQueryRun" has "Explorer", b = "KustoExplorerQueryRun" contains "Explorer", '
                     'c = "North America" has "america", d = "North America" hasprefix "ame", '
                     'e = "North America" hassuffix "ica", f = "North America" !hasprefix "mer"')[2] == [
        (False, True, True, True, True, True)]


def test_seed_rule_needles(engine):
    """semantics.md appendix: has ' user ' is a substring test; hassuffix ' /do' needs a term end after do."""
    rows = q(engine, 'datatable(c:string)["net user /domain", "net user /do /y", "net USER /DO", "netuser"] '
                     '| extend u = c has " user ", d = c hassuffix " /do"')[2]
    assert rows == [("net user /domain", True, False), ("net user /do /y", True, True),
                    ("net USER /DO", True, True), ("netuser", False, False)]


def test_has_non_constant_needles(engine):
    """datatypes-string-operators.md: the same rules with a needle from a column (run-time macros)."""
    rows = q(engine, 'datatable(x:string, n:string)["net user /domain", "/do", "a-Error", "err", "the KEY", "key", '
                     '"ab", ""] | extend h = x has n, p = x hasprefix n, s = x hassuffix n, c = x contains n')[2]
    assert rows == [("net user /domain", "/do", False, True, False, True),
                    ("a-Error", "err", False, True, False, True),
                    ("the KEY", "key", True, True, True, True),
                    ("ab", "", True, True, True, True)]


def test_ascii_only_case_folding(engine):
    """includes/in-operator-comparison.md: case-insensitive operators fold ASCII only. DuckDB's lower() maps
    U+212A KELVIN SIGN to k and RE2's (?i) folds it too; Kusto does not."""
    rows = q(engine, f'print a = "{KELVIN}ey" has "key", b = "{KELVIN}ey" contains "ke", c = "KEY" has "key", '
                     f'd = "Äb" has "äb", e = "Äb" =~ "äb", f = "ABC" =~ "abc", g = "{KELVIN}ing" startswith "k", '
                     f'h = "abc" endswith "BC", i = "xÄb" contains "Äb"')[2]
    assert rows == [(False, False, True, False, False, True, False, True, True)]


def test_string_lengths(engine):
    """strlen-function.md (code points) vs string-size-function.md (UTF-8 bytes)."""
    assert q(engine, 'print a = strlen("⒦⒰⒮⒯⒪"), b = string_size("⒦⒰⒮⒯⒪"), c = string_size("hello")') == (
        ["a", "b", "c"], ["long", "long", "long"], [(5, 15, 5)])


def test_countof(engine):
    """countof-function.md: plain matches overlap, regex matches do not."""
    assert q(engine, 'print a = countof("aaa", "a"), b = countof("aaaa", "aa"), c = countof("ababa", "ab", "normal"), '
                     'd = countof("ababa", "aba"), e = countof("abcabc", "a.c", "regex"), f = countof("aaaa", "aa", "regex")')[2] == [
        (3, 3, 2, 2, 2, 2)]


def test_indexof_doc(engine):
    """indexof-function.md example, including a negative start and the occurrence window (idx8)."""
    rows = q(engine, 'print idx1 = indexof("abcdefg","cde"), idx2 = indexof("abcdefg","cde",1,4), '
                     'idx3 = indexof("abcdefg","cde",1,2), idx4 = indexof("abcdefg","cde",3,4), idx5 = indexof("abcdefg","cde",-5), '
                     'idx6 = indexof(1234567,5,1,4), idx7 = indexof("abcdefg","cde",2,-1), '
                     'idx8 = indexof("abcdefgabcdefg", "cde", 1, 10, 2), idx9 = indexof("abcdefgabcdefg", "cde", 1, -1, 3)')[2]
    assert rows == [(2, 2, -1, -1, 2, 4, 2, 9, -1)]


def test_indexof_regex_doc(engine):
    """indexof-regex-function.md: non-overlapping matches; a negative start gives null."""
    rows = q(engine, 'print idx1 = indexof_regex("abcabc", @"a.c"), idx2 = indexof_regex("abcabcdefg", @"a.c", 0, 9, 2), '
                     'idx3 = indexof_regex("abcabc", @"a.c", 1, -1, 2), idx4 = indexof_regex("ababaa", @"a.a", 0, -1, 2), '
                     'idx5 = indexof_regex("abcabc", @"a|ab", -1)')[2]
    assert rows == [(0, 3, -1, -1, None)]


def test_substring_split_edges(engine):
    """substring-function.md (negative start counts from the end, out of range -> ""); split-function.md
    (always an array; "" -> [""]; out-of-range index -> [])."""
    cols, types, rows = q(engine, 'print a = substring("123456", -2, 2), b = substring("abc", 5), c = substring("abc", 1, -1), '
                                  'd = split("", "_"), e = split("a__b", "_"), f = split("aaa_bbb_ccc", "_", 1), '
                                  'g = split("a_b", "_", 5), h = split("abc", "")')
    assert types == ["string", "string", "string", "dynamic", "dynamic", "dynamic", "dynamic", "dynamic"]
    assert rows == [("56", "", "", [""], ["a", "", "b"], ["bbb"], [], ["abc"])]


def test_strcmp_strrep_strcat_delim_reverse(engine):
    """strcmp-function.md, strrep-function.md, strcat-delim-function.md, reverse-function.md."""
    assert q(engine, 'print a = strcmp("abc", "ABC"), b = strcmp("ABC", "abc"), c = strcmp("a", "a"), '
                     'd = strrep("ABC", 2), e = strrep(123, 3, "."), f = strrep(3s, 2, " "), g = strrep("x", 0), '
                     'h = strcat_delim("-", "a", 1, "c"), i = reverse("abc")')[2] == [
        (1, -1, 0, "ABCABC", "123.123.123", "00:00:03 00:00:03", "", "a-1-c", "cba")]


def test_replace_strings(engine):
    """replace-strings-function.md: simultaneous replacement, earlier lookups win; a non-string rewrite keeps
    the lookup."""
    rows = q(engine, 'print m = "This is an example" | extend a = replace_strings(m, dynamic(["This", "is"]), dynamic(["This", "was"])), '
                     'b = replace_strings(m, dynamic(["is", "This"]), dynamic(["was", "This"])), '
                     'c = replace_strings("cat dog", dynamic(["cat", "dog"]), dynamic(["dog", "pigeon"])), '
                     'd = replace_strings(m, dynamic(["This", "is"]), dynamic([12345, "was"]))')[2]
    assert rows == [("This is an example", "This was an example", "Thwas was an example", "dog pigeon", "This was an example")]


def test_translate_trim(engine):
    """translate-function.md (short replacement repeats its last char, empty deletes); trim*-function.md and
    semantics.md §4: trim takes a regex, trim("1", "11") = ""."""
    assert q(engine, 'print a = translate("abc", "x", "abc"), b = translate("abc", "", "ab"), '
                     'c = translate("krasp", "otsku", "spark"), d = trim("1", "11"), e = trim_start(@"[\\d]+", "12ab34"), '
                     'f = trim_end("--", "a----"), g = trim(@"\\s", " x ")')[2] == [
        ("xxx", "", "kusto", "", "ab34", "a", "x")]


def test_regex_quote_and_matches(engine):
    """regex-quote-function.md; `matches regex` is case-sensitive (datatypes-string-operators.md)."""
    assert q(engine, 'print a = regex_quote("(so$me.Te^xt)"), b = "ABC" matches regex "abc", c = "ABC" matches regex "(?i)abc"')[2] == [
        ("\\(so\\$me\\.Te\\^xt\\)", False, True)]


def test_extract_typeof(engine):
    """extract-function.md: group 0 is the match; no match -> "" for string, null with typeof."""
    cols, types, rows = q(engine, 'print a = extract("x=([0-9.]+)", 1, "hello x=45.6|wo"), '
                                  'b = extract("x=([0-9.]+)", 1, "hello x=45.6|wo", typeof(real)), '
                                  'c = extract("y=([0-9]+)", 1, "x=1", typeof(long)), d = extract("y=([0-9]+)", 0, "x=1"), '
                                  'e = extract("(\\\\d+)", 1, "abc 42", typeof(int))')
    assert types == ["string", "real", "long", "string", "int"]
    assert rows == [("45.6", 45.6, None, "", 42)]


def test_extract_all(engine):
    """extract-all-function.md: 1-D for one group, 2-D for several, named selection, null without a match."""
    rows = q(engine, 'print Id = "82b8be2d-dfa7" | extend a = extract_all(@"(\\w)(\\w+)(\\w)", Id), '
                     'b = extract_all(@"(?P<first>\\w)(?P<middle>\\w+)(?P<last>\\w)", dynamic(["first", "last"]), Id), '
                     'c = extract_all(@"(\\w)\\w+", Id), d = extract_all(@"(z)", Id)')[2]
    assert rows == [("82b8be2d-dfa7", [["8", "2b8be2", "d"], ["d", "fa", "7"]], [["8", "d"], ["d", "7"]], ["8", "d"], None)]


def test_regex_unicode_classes(engine):
    """query/regex.md (Rust syntax): \\d, \\w and \\s are Unicode-aware (RE2's are ASCII: we translate)."""
    assert q(engine, 'print a = "٣" matches regex @"^\\d$", b = "é" matches regex @"^\\w$", c = "\u00a0" matches regex @"^\\s$", '
                     'd = extract(@"(?<num>\\d+)", 1, "ab 12")')[2] == [(True, True, True, "12")]


@pytest.mark.parametrize("pattern, construct", [
    ("a(?=b)", "lookahead"), ("(a)\\\\1", "backreference"), ("[a-z&&[^aeiou]]", "set operation"),
    ("(?x) a b", "flag x"), ("[a[bc]]", "nested character class"), ("\\\\<word", "word start"),
])
def test_regex_unsupported_constructs(engine, pattern, construct):
    """docs/regex.md: what RE2 cannot express raises unsupported, naming the construct."""
    with pytest.raises(KqlError) as exc:
        engine.query(f'print "x" matches regex "{pattern}"')
    assert exc.value.kind == "unsupported" and construct in str(exc.value)


def test_word_boundary_guard(engine):
    """query/regex.md: \\b is Unicode-aware in Kusto; RE2's is ASCII. ASCII text is answered; text with a
    non-ASCII letter raises instead of answering possibly wrong."""
    assert q(engine, 'print a = "– user ©" matches regex @"\\buser\\b"')[2] == [(True,)]   # non-ASCII, no letters
    assert q(engine, 'print a = "net user x" matches regex @"\\buser\\b", b = "xuser" matches regex @"\\buser\\b"')[2] == [
        (True, False)]
    with pytest.raises(KqlError):
        q(engine, 'print a = "éuser" matches regex @"\\buser"')


def test_format_bytes(engine):
    """format-bytes-function.md example."""
    assert q(engine, 'print v1 = format_bytes(564), v2 = format_bytes(10332, 1), v3 = format_bytes(20010332), '
                     'v4 = format_bytes(20010332, 2), v5 = format_bytes(20010332, 0, "KB")')[2] == [
        ("564 Bytes", "10.1 KB", "19 MB", "19.08 MB", "19541 KB")]


def test_encoding(engine):
    """base64-*-function.md, url-encode(-component)-function.md, url-decode-function.md, tohex-function.md."""
    rows = q(engine, 'print a = base64_encode_tostring("Kusto"), b = base64_decode_tostring("S3VzdG8="), '
                     'c = base64_decode_tostring("U3RyaW5n0KHR0tGA0L7Rh9C60LA="), d = base64_decode_toarray("S3VzdG8="), '
                     'e = base64_encode_fromguid(toguid("ae3133f2-6e22-49ae-b06a-16e6a9b212eb")), '
                     'f = url_encode("https://www.bing.com/hello world"), g = url_encode_component("hello world/"), '
                     'h = url_decode("https%3a%2f%2fwww.bing.com%2f"), i = tohex(-256), j = tohex(toint(-256), 8), k = tohex(256, 2)')[2]
    assert rows == [("S3VzdG8=", "Kusto", "", [75, 117, 115, 116, 111], "8jMxriJurkmwahbmqbIS6w==",
                     "https%3a%2f%2fwww.bing.com%2fhello+world", "hello%20world%2f", "https://www.bing.com/",
                     "ffffffffffffff00", "ffffff00", "100")]


def test_hashes(engine):
    """hash-sha256/md5/sha1-function.md and hash-function.md (xxhash64: exact for constant strings only)."""
    rows = q(engine, 'print a = hash_sha256("World"), b = hash_md5("World"), c = hash("World"), d = hash("World", 100)')[2]
    assert rows == [("78ae647dc5544d227130a0682a51e30bc7777fbb6d8a8f17007463a3ecd1d524", "f5a7924e621e84c9280a9a27e1bcb7f6",
                     1846988464401551951, 51)]
    with pytest.raises(KqlError):
        engine.query('datatable(s:string)["World"] | extend h = hash(s)')


def test_parse_command_line(engine):
    """parse-command-line-function.md: CommandLineToArgvW rules."""
    rows = q(engine, r'''print a = parse_command_line("echo \"hello world!\"", "windows"),
        b = parse_command_line(@'"C:\Program Files\a.exe" -x "a b" c\\"d e" f\"g h\\i ""', "windows"),
        c = parse_command_line("cmd.exe  /c   whoami ", "windows")''')[2]
    assert rows == [(["echo", "hello world!"], ["C:\\Program Files\\a.exe", "-x", "a b", "c\\d e", 'f"g', "h\\\\i", ""],
                     ["cmd.exe", "/c", "whoami"])]


def test_parse_path_url_csv(engine):
    """parse-path-function.md, parse-url-function.md, parse-urlquery-function.md, parse-csv-function.md."""
    rows = q(engine, r'''print a = parse_path("file://C:/temp/file.txt:some.exe"),
        b = parse_url("scheme://username:password@host:1234/this/is/a/path?k1=v1&k2=v2#fragment"),
        c = parse_urlquery("k1=v1&k2=v%20x"), d = parse_csv('aa,"b,b","c""d",,e\nx,y')''')[2]
    assert rows == [({"Scheme": "file", "RootPath": "C:", "DirectoryPath": "C:/temp", "DirectoryName": "temp",
                      "Filename": "file.txt", "Extension": "txt", "AlternateDataStreamName": "some.exe"},
                     {"Scheme": "scheme", "Host": "host", "Port": "1234", "Path": "/this/is/a/path", "Username": "username",
                      "Password": "password", "Query Parameters": {"k1": "v1", "k2": "v2"}, "Fragment": "fragment"},
                     {"Query Parameters": {"k1": "v1", "k2": "v x"}}, ["aa", "b,b", 'c"d', "", "e"])]
