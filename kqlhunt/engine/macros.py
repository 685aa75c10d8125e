"""KQL semantics that need SQL helpers at run time (non-constant needles, text forms of datetimes and
timespans, Kusto's datetime parsing), installed as DuckDB macros on every connection the engine opens."""
from __future__ import annotations

import re

TERM_EDGE_START = r"(?:^|[^\pL\pN])"
TERM_EDGE_END = r"(?:$|[^\pL\pN])"

MACROS = [
    # has-family with a needle known only at run time (strops.py handles constant needles inline)
    r"""CREATE OR REPLACE MACRO kql_term_regex(n, lead, trail) AS
        (CASE WHEN lead AND regexp_matches(n, '^[\pL\pN]') THEN '(?:^|[^\pL\pN])' ELSE '' END)
        || regexp_escape(n) ||
        (CASE WHEN trail AND regexp_matches(n, '[\pL\pN]$') THEN '(?:$|[^\pL\pN])' ELSE '' END)""",
    # ASCII-only case folding (strops.needs_exact_fold): n as an RE2 pattern with ASCII letters as [aA] classes
    r"""CREATE OR REPLACE MACRO kql_ascii_ci(n) AS
        array_to_string(list_transform(string_split(n, ''), lambda ch: CASE WHEN regexp_matches(ch, '^[A-Za-z]$')
            THEN '[' || lower(ch) || upper(ch) || ']' ELSE regexp_escape(ch) END), '')""",
    r"""CREATE OR REPLACE MACRO kql_term_regex_ci(n, lead, trail) AS
        (CASE WHEN lead AND regexp_matches(n, '^[\pL\pN]') THEN '(?:^|[^\pL\pN])' ELSE '' END)
        || kql_ascii_ci(n) ||
        (CASE WHEN trail AND regexp_matches(n, '[\pL\pN]$') THEN '(?:$|[^\pL\pN])' ELSE '' END)""",
    r"""CREATE OR REPLACE MACRO kql_has(x, n) AS
        CASE WHEN coalesce(n, '') = '' THEN TRUE
             ELSE contains(lower(coalesce(x, '')), lower(n))
                  AND regexp_matches(coalesce(x, ''), kql_term_regex_ci(n, TRUE, TRUE)) END""",
    r"""CREATE OR REPLACE MACRO kql_has_cs(x, n) AS
        CASE WHEN coalesce(n, '') = '' THEN TRUE
             ELSE contains(coalesce(x, ''), n) AND regexp_matches(coalesce(x, ''), kql_term_regex(n, TRUE, TRUE)) END""",
    r"""CREATE OR REPLACE MACRO kql_hasprefix(x, n) AS
        CASE WHEN coalesce(n, '') = '' THEN TRUE
             ELSE regexp_matches(coalesce(x, ''), kql_term_regex_ci(n, TRUE, FALSE)) END""",
    r"""CREATE OR REPLACE MACRO kql_hasprefix_cs(x, n) AS
        CASE WHEN coalesce(n, '') = '' THEN TRUE ELSE regexp_matches(coalesce(x, ''), kql_term_regex(n, TRUE, FALSE)) END""",
    r"""CREATE OR REPLACE MACRO kql_hassuffix(x, n) AS
        CASE WHEN coalesce(n, '') = '' THEN TRUE
             ELSE regexp_matches(coalesce(x, ''), kql_term_regex_ci(n, FALSE, TRUE)) END""",
    r"""CREATE OR REPLACE MACRO kql_hassuffix_cs(x, n) AS
        CASE WHEN coalesce(n, '') = '' THEN TRUE ELSE regexp_matches(coalesce(x, ''), kql_term_regex(n, FALSE, TRUE)) END""",
    # has_any / has_all over a JSON array known only at run time
    r"""CREATE OR REPLACE MACRO kql_has_any(x, arr) AS
        coalesce(list_bool_or(list_transform(json_extract_string(arr, '$[*]'), lambda n: kql_has(x, n))), FALSE)""",
    r"""CREATE OR REPLACE MACRO kql_has_all(x, arr) AS
        coalesce(list_bool_and(list_transform(json_extract_string(arr, '$[*]'), lambda n: kql_has(x, n))), TRUE)""",
    # text forms (tostring)
    r"""CREATE OR REPLACE MACRO kql_datetime_to_string(t) AS
        strftime(t, '%Y-%m-%dT%H:%M:%S.%f') || '0Z'""",
    r"""CREATE OR REPLACE MACRO kql_timespan_to_string(us) AS
        CASE WHEN us IS NULL THEN NULL ELSE
          (CASE WHEN us < 0 THEN '-' ELSE '' END)
          || (CASE WHEN abs(us) >= 86400000000 THEN CAST(abs(us) // 86400000000 AS VARCHAR) || '.' ELSE '' END)
          || lpad(CAST((abs(us) // 3600000000) % 24 AS VARCHAR), 2, '0') || ':'
          || lpad(CAST((abs(us) // 60000000) % 60 AS VARCHAR), 2, '0') || ':'
          || lpad(CAST((abs(us) // 1000000) % 60 AS VARCHAR), 2, '0')
          || (CASE WHEN abs(us) % 1000000 <> 0 THEN '.' || lpad(CAST(abs(us) % 1000000 AS VARCHAR), 6, '0') || '0' ELSE '' END)
        END""",
    r"""CREATE OR REPLACE MACRO kql_real_to_string(r) AS
        CASE WHEN r IS NULL THEN NULL
             WHEN isnan(r) THEN 'NaN' WHEN r = 'inf'::DOUBLE THEN '∞' WHEN r = '-inf'::DOUBLE THEN '-∞'
             WHEN r = trunc(r) AND abs(r) < 1e15 THEN CAST(CAST(r AS BIGINT) AS VARCHAR)
             ELSE CAST(r AS VARCHAR) END""",
    # parsing
    # date and time (compile/functions/datetime_fns.py)
    r"""CREATE OR REPLACE MACRO kql_fdiv(a, b) AS
        ((a) // (b)) - (CASE WHEN (a) % (b) <> 0 AND (((a) < 0) <> ((b) < 0)) THEN 1 ELSE 0 END)""",
    r"""CREATE OR REPLACE MACRO kql_dt_from_us0001(us) AS
        CASE WHEN (us) >= 0 AND (us) < 315537897600000000 THEN make_timestamp(CAST((us) - 62135596800000000 AS BIGINT)) END""",
    r"""CREATE OR REPLACE MACRO kql_dt_range(t) AS
        CASE WHEN (t) >= TIMESTAMP '0001-01-01' AND (t) < TIMESTAMP '10000-01-01' THEN (t) END""",
    r"""CREATE OR REPLACE MACRO kql_utc_to_local(x, tz) AS timezone(tz, timezone('UTC', x))""",
    # local -> UTC: ICU reads an ambiguous time as standard time like .NET; a skipped local time uses the offset
    # in force after the change (query/datetime-local-to-utc-function.md, Europe/Brussels example)
    r"""CREATE OR REPLACE MACRO kql_local_to_utc_(x, u, tz) AS
        CASE WHEN kql_utc_to_local(u, tz) = x THEN u ELSE x - (kql_utc_to_local(u, tz) - u) END""",
    r"""CREATE OR REPLACE MACRO kql_local_to_utc(x, tz) AS kql_local_to_utc_(x, timezone('UTC', timezone(tz, x)), tz)""",
    # todatetime()/totimespan() of run-time strings: the grammar of kql/literals.py parse_datetime/parse_timespan
    # (query/scalar-data-types/datetime.md formats: ISO 8601, sortable, RFC 822, RFC 850; timespan.md forms)
    r"""CREATE OR REPLACE MACRO kql_unquote(s) AS
        CASE WHEN length(trim(s)) >= 2 AND left(trim(s), 1) IN (chr(39), chr(34)) AND right(trim(s), 1) = left(trim(s), 1)
             THEN trim(substr(trim(s), 2, length(trim(s)) - 2)) ELSE trim(s) END""",
    r"""CREATE OR REPLACE MACRO kql_tz_minutes(tz) AS
        CASE WHEN coalesce(tz, '') = '' OR upper(tz) IN ('Z', 'GMT', 'UTC') THEN 0
             ELSE (CASE WHEN left(tz, 1) = '-' THEN -1 ELSE 1 END)
                  * (CAST(left(replace(substr(tz, 2), ':', ''), 2) AS BIGINT) * 60
                     + CAST(substr(replace(substr(tz, 2), ':', ''), 3, 2) AS BIGINT)) END""",
    r"""CREATE OR REPLACE MACRO kql_dt_build(y, mo, d, h, mi, sec, f, tz) AS
        CASE WHEN coalesce(y, '') <> '' THEN kql_dt_range(
          try(make_timestamp(CAST(y AS BIGINT), CAST(mo AS BIGINT), CAST(d AS BIGINT),
                             CAST(coalesce(nullif(h, ''), '0') AS BIGINT), CAST(coalesce(nullif(mi, ''), '0') AS BIGINT),
                             0))
          + CASE WHEN CAST(y AS BIGINT) >= 1 AND CAST(coalesce(nullif(h, ''), '0') AS BIGINT) < 24
                      AND CAST(coalesce(nullif(mi, ''), '0') AS BIGINT) < 60
                      AND CAST(coalesce(nullif(sec, ''), '0') AS BIGINT) < 60
                 THEN to_microseconds(CAST(coalesce(nullif(sec, ''), '0') AS BIGINT) * 1000000
                                      + CAST(rpad(left(coalesce(f, ''), 6), 6, '0') AS BIGINT)) END
          - to_minutes(kql_tz_minutes(tz))) END""",
    r"""CREATE OR REPLACE MACRO kql_month_no(m) AS
        CASE WHEN (instr('janfebmaraprmayjunjulaugsepoctnovdec', lower(m)) - 1) % 3 = 0
             THEN (instr('janfebmaraprmayjunjulaugsepoctnovdec', lower(m)) + 2) // 3 END""",
    r"""CREATE OR REPLACE MACRO kql_dt_iso(r) AS kql_dt_build(r.y, r.mo, r.d, r.h, r.mi, r.s, r.f, r.tz)""",
    r"""CREATE OR REPLACE MACRO kql_dt_rfc(r) AS
        kql_dt_build(CASE WHEN length(r.y) = 2 THEN CAST(CAST(r.y AS BIGINT) + 2000 AS VARCHAR) ELSE r.y END,
                     CAST(kql_month_no(r.mon) AS VARCHAR), r.d, r.h, r.mi, r.s, r.f, r.tz)""",
    r"""CREATE OR REPLACE MACRO kql_todatetime_(t) AS
        coalesce(
          kql_dt_iso(regexp_extract(t,
            '(?i)^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:T|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|GMT|UTC|[+-]\d{2}:?\d{2})?$',
            ['y', 'mo', 'd', 'h', 'mi', 's', 'f', 'tz'])),
          kql_dt_iso(regexp_extract(t,
            '^(\d{4})(\d{2})(\d{2})(?:T?(\d{2})(\d{2})(\d{2})?)?()Z?()$', ['y', 'mo', 'd', 'h', 'mi', 's', 'f', 'tz'])),
          kql_dt_iso(regexp_extract(t,
            '^(\d{1,2})[-/](\d{1,2})[-/](\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?()$',
            ['mo', 'd', 'y', 'h', 'mi', 's', 'f', 'tz'])),
          kql_dt_iso(regexp_extract(t,
            '^(\d{4})/(\d{1,2})/(\d{1,2})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?()$',
            ['y', 'mo', 'd', 'h', 'mi', 's', 'f', 'tz'])),
          kql_dt_rfc(regexp_extract(t,
            '^(?:[A-Za-z]+,\s*)?(\d{1,2})(?:\s+|-)([A-Za-z]{3})(?:\s+|-)(\d{2}|\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(GMT|UTC|Z|[+-]\d{4})?$',
            ['d', 'mon', 'y', 'h', 'mi', 's', 'f', 'tz'])),
          kql_dt_iso(regexp_extract(t,
            '^(\d{1,4})\s*,\s*(\d{1,2})\s*,\s*(\d{1,2})(?:\s*,\s*(\d{1,2})\s*,\s*(\d{1,2})(?:\s*,\s*(\d{1,2})(?:\.(\d{1,9}))?)?)?()$',
            ['y', 'mo', 'd', 'h', 'mi', 's', 'f', 'tz'])))""",
    r"""CREATE OR REPLACE MACRO kql_todatetime(s) AS kql_todatetime_(kql_unquote(s))""",
    r"""CREATE OR REPLACE MACRO kql_ts_clock(r) AS
        (CASE WHEN r.neg = '-' THEN -1 ELSE 1 END)
        * ((((coalesce(TRY_CAST(nullif(r.d, '') AS BIGINT), 0) * 24 + CAST(r.h AS BIGINT)) * 60
             + CAST(r.mi AS BIGINT)) * 60 + coalesce(TRY_CAST(nullif(r.s, '') AS BIGINT), 0)) * 1000000
           + CAST(rpad(r.f, 7, '0') AS BIGINT) // 10)""",
    r"""CREATE OR REPLACE MACRO kql_ts_unit(r) AS
        (CASE WHEN r.neg = '-' THEN -1 ELSE 1 END)
        * (CAST(trunc(TRY_CAST(r.n AS DECIMAL(38, 12)) * (%(UNIT_TICKS)s)) AS HUGEINT) // 10)""",
    r"""CREATE OR REPLACE MACRO kql_totimespan_(t) AS
        CASE
          WHEN regexp_matches(t, '^-?(\d+\.)?\d{1,2}:\d{1,2}(:\d{1,2}(\.\d{1,7})?)?$') THEN
            kql_ts_clock(regexp_extract(t, '^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?$',
                                        ['neg', 'd', 'h', 'mi', 's', 'f']))
          WHEN regexp_matches(t, '^-?(\d+(\.\d*)?|\.\d+)\s*[A-Za-z]+$') THEN
            kql_ts_unit(regexp_extract(t, '^(-)?(\d+(?:\.\d*)?|\.\d+)\s*([A-Za-z]+)$', ['neg', 'n', 'u']))
          WHEN regexp_matches(t, '^-?\d+$') THEN TRY_CAST(t AS BIGINT) * 86400000000
        END""",
    r"""CREATE OR REPLACE MACRO kql_totimespan(s) AS CAST(kql_totimespan_(kql_unquote(s)) AS BIGINT)""",
    r"""CREATE OR REPLACE MACRO kql_parse_json(s) AS
        CASE WHEN s IS NULL OR trim(s) = '' THEN NULL
             WHEN json_valid(s) THEN CAST(s AS JSON)
             ELSE to_json(s) END""",
    # indexof(x, n, start, length, occurrence): occurrence k is searched from one past occurrence k-1, in a window of
    # `length` characters (indexof-function.md idx8); -1 length = to the end
    r"""CREATE OR REPLACE MACRO kql_indexof_in(cand, ln, s0, len, occ) AS
        CASE WHEN len(cand) < occ THEN -1
             WHEN len = -1 THEN cand[occ]
             WHEN cand[1] + ln <= s0 + len
                  AND coalesce(list_bool_and(list_transform(range(2, occ + 1), lambda k: cand[k] + ln <= cand[k - 1] + 1 + len)), TRUE)
             THEN cand[occ] ELSE -1 END""",
    r"""CREATE OR REPLACE MACRO kql_indexof(x, n, st, len, occ) AS
        CASE WHEN st IS NULL OR len IS NULL OR occ IS NULL OR len < -1 OR occ < 1 THEN NULL ELSE
          kql_indexof_in(list_filter(range(length(x)), lambda i: i >= (CASE WHEN st < 0 THEN greatest(length(x) + st, 0) ELSE st END)
                                     AND substr(x, i + 1, length(n)) = n),
                         length(n), CASE WHEN st < 0 THEN greatest(length(x) + st, 0) ELSE st END, len, occ)
        END""",
    # IPv4 (compile/functions/ipv4.py): 'a.b.c.d[/p]' -> address as a long / prefix (32 when absent); NULL if invalid
    r"""CREATE OR REPLACE MACRO kql_ipv4_re(s) AS
        regexp_extract(s, '^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})(?:/([0-9]{1,2}))?$', ['a', 'b', 'c', 'd', 'p'])""",
    r"""CREATE OR REPLACE MACRO kql_ipv4_long_(r) AS
        CASE WHEN r.a <> '' AND CAST(r.a AS BIGINT) <= 255 AND CAST(r.b AS BIGINT) <= 255 AND CAST(r.c AS BIGINT) <= 255
                  AND CAST(r.d AS BIGINT) <= 255 AND (r.p = '' OR CAST(r.p AS BIGINT) <= 32)
             THEN CAST(r.a AS BIGINT) * 16777216 + CAST(r.b AS BIGINT) * 65536 + CAST(r.c AS BIGINT) * 256 + CAST(r.d AS BIGINT) END""",
    r"""CREATE OR REPLACE MACRO kql_ipv4_long(s) AS kql_ipv4_long_(kql_ipv4_re(s))""",
    r"""CREATE OR REPLACE MACRO kql_ipv4_pfx(s) AS
        CASE WHEN kql_ipv4_long(s) IS NULL THEN NULL WHEN kql_ipv4_re(s).p = '' THEN 32 ELSE CAST(kql_ipv4_re(s).p AS BIGINT) END""",
    r"""CREATE OR REPLACE MACRO kql_ipv4_masked(v, p) AS
        CASE WHEN p BETWEEN 0 AND 32 THEN (v >> CAST(32 - p AS BIGINT)) << CAST(32 - p AS BIGINT) END""",
    r"""CREATE OR REPLACE MACRO kql_ipv4_text(v) AS
        CAST(v >> 24 AS VARCHAR) || '.' || CAST((v >> 16) % 256 AS VARCHAR) || '.' || CAST((v >> 8) % 256 AS VARCHAR)
        || '.' || CAST(v % 256 AS VARCHAR)""",
    r"""CREATE OR REPLACE MACRO kql_ipv4_private(v, p) AS
        CASE WHEN v IS NULL THEN NULL
             WHEN (v >> 24) = 10 THEN (CASE WHEN p >= 8 THEN TRUE ELSE error('unsupported: ipv4_is_private() of a range wider than its private block') END)
             WHEN (v >> 20) = 2753 THEN (CASE WHEN p >= 12 THEN TRUE ELSE error('unsupported: ipv4_is_private() of a range wider than its private block') END)
             WHEN (v >> 16) = 49320 THEN (CASE WHEN p >= 16 THEN TRUE ELSE error('unsupported: ipv4_is_private() of a range wider than its private block') END)
             WHEN p < 16 AND kql_ipv4_masked(v, p) <= 3232301055 THEN error('unsupported: ipv4_is_private() of a range wider than its private block')
             ELSE FALSE END""",
    # parsing (compile/functions/parsing.py). Command line: Wine's CommandLineToArgvW, one character at a time.
    r"""CREATE OR REPLACE MACRO kql_cmd_char(st, ch) AS
        CASE
          WHEN st.aq AND ch = '"' THEN
            (CASE WHEN st.q + 1 = 3 THEN {'args': st.args, 'cur': st.cur || '"', 'inarg': TRUE, 'q': 0, 'b': 0, 'aq': TRUE}
                  ELSE {'args': st.args, 'cur': st.cur, 'inarg': TRUE, 'q': st.q + 1, 'b': 0, 'aq': TRUE} END)
          ELSE kql_cmd_char2({'args': st.args, 'cur': st.cur, 'inarg': st.inarg,
                              'q': CASE WHEN st.aq AND st.q = 2 THEN 0 ELSE st.q END, 'b': st.b, 'aq': FALSE}, ch)
        END""",
    r"""CREATE OR REPLACE MACRO kql_cmd_char2(st, ch) AS
        CASE
          WHEN ch IN (' ', chr(9)) AND st.q = 0 THEN
            {'args': CASE WHEN st.inarg THEN list_append(st.args, st.cur) ELSE st.args END, 'cur': '', 'inarg': FALSE,
             'q': 0, 'b': 0, 'aq': FALSE}
          WHEN ch = '\' THEN {'args': st.args, 'cur': st.cur || ch, 'inarg': TRUE, 'q': st.q, 'b': st.b + 1, 'aq': FALSE}
          WHEN ch = '"' THEN
            (CASE WHEN st.b % 2 = 0
                  THEN {'args': st.args, 'cur': left(st.cur, length(st.cur) - st.b // 2), 'inarg': TRUE, 'q': st.q + 1,
                        'b': 0, 'aq': TRUE}
                  ELSE {'args': st.args, 'cur': left(st.cur, length(st.cur) - st.b // 2 - 1) || '"', 'inarg': TRUE,
                        'q': st.q, 'b': 0, 'aq': TRUE} END)
          ELSE {'args': st.args, 'cur': st.cur || ch, 'inarg': TRUE, 'q': st.q, 'b': 0, 'aq': FALSE}
        END""",
    r"""CREATE OR REPLACE MACRO kql_cmd_rest(rest) AS
        list_reduce(string_split(rest, ''), lambda st, ch: kql_cmd_char(st, ch),
                    {'args': CAST([] AS VARCHAR[]), 'cur': '', 'inarg': FALSE, 'q': 0, 'b': 0, 'aq': FALSE})""",
    r"""CREATE OR REPLACE MACRO kql_cmd_args(st) AS
        CASE WHEN st.inarg THEN list_append(st.args, st.cur) ELSE st.args END""",
    r"""CREATE OR REPLACE MACRO kql_parse_command_line(s) AS
        CASE WHEN s IS NULL OR s = '' THEN CAST('[]' AS JSON) ELSE to_json(list_concat(
          [CASE WHEN left(s, 1) = '"' THEN regexp_extract(s, '^"([^"]*)', 1) ELSE regexp_extract(s, '^[^ \t]*') END],
          coalesce(kql_cmd_args(kql_cmd_rest(ltrim(
            CASE WHEN left(s, 1) = '"' THEN regexp_replace(s, '^"[^"]*"?', '') ELSE regexp_replace(s, '^[^ \t]*', '') END,
            ' ' || chr(9)))), [])))
        END""",
    # parse_path
    r"""CREATE OR REPLACE MACRO kql_path_rest(p) AS
        CASE WHEN regexp_matches(p, '^[A-Za-z][A-Za-z0-9+.-]*://') THEN regexp_replace(p, '^[A-Za-z][A-Za-z0-9+.-]*://', '') ELSE p END""",
    r"""CREATE OR REPLACE MACRO kql_path_last(r) AS
        CASE WHEN regexp_matches(r, '[\\/]') THEN regexp_extract(r, '[^\\/]*$') ELSE r END""",
    r"""CREATE OR REPLACE MACRO kql_path_file(r) AS
        CASE WHEN regexp_matches(r, '[\\/]') AND contains(kql_path_last(r), ':') THEN regexp_extract(kql_path_last(r), '^[^:]*')
             ELSE kql_path_last(r) END""",
    r"""CREATE OR REPLACE MACRO kql_path_dir(r) AS
        CASE WHEN regexp_matches(r, '[\\/]') THEN regexp_replace(r, '[\\/][^\\/]*$', '') ELSE '' END""",
    r"""CREATE OR REPLACE MACRO kql_parse_path(p) AS json_object(
        'Scheme', regexp_extract(p, '^([A-Za-z][A-Za-z0-9+.-]*)://', 1),
        'RootPath', regexp_extract(kql_path_rest(p), '^([A-Za-z]:)', 1),
        'DirectoryPath', kql_path_dir(kql_path_rest(p)),
        'DirectoryName', regexp_extract(kql_path_dir(kql_path_rest(p)), '[^\\/]*$'),
        'Filename', kql_path_file(kql_path_rest(p)),
        'Extension', CASE WHEN contains(kql_path_file(kql_path_rest(p)), '.') THEN regexp_extract(kql_path_file(kql_path_rest(p)), '[^.]*$') ELSE '' END,
        'AlternateDataStreamName', CASE WHEN regexp_matches(kql_path_rest(p), '[\\/]') AND contains(kql_path_last(kql_path_rest(p)), ':')
                                        THEN regexp_extract(kql_path_last(kql_path_rest(p)), ':(.*)$', 1) ELSE '' END)""",
    # query strings: key=value pairs split on '&', URL-decoded; a repeated key is not supported
    r"""CREATE OR REPLACE MACRO kql_urlquery_pairs(q) AS
        list_transform(list_filter(string_split(q, '&'), lambda kv: kv <> ''),
                       lambda kv: [url_decode(replace(regexp_extract(kv, '^[^=]*'), '+', ' ')),
                                   url_decode(replace(regexp_replace(kv, '^[^=]*=?', ''), '+', ' '))])""",
    r"""CREATE OR REPLACE MACRO kql_urlquery_bag(q) AS
        CASE WHEN len(list_distinct(list_transform(kql_urlquery_pairs(q), lambda kv: kv[1]))) < len(kql_urlquery_pairs(q))
             THEN error('unsupported: a URL query with a repeated parameter')
             ELSE CAST('{' || array_to_string(list_transform(kql_urlquery_pairs(q),
                    lambda kv: CAST(to_json(kv[1]) AS VARCHAR) || ':' || CAST(to_json(kv[2]) AS VARCHAR)), ',') || '}' AS JSON) END""",
    r"""CREATE OR REPLACE MACRO kql_url_re(u) AS regexp_extract(u,
        '^([A-Za-z][A-Za-z0-9+.-]*)://(?:([^:@/?#]*)(?::([^@/?#]*))?@)?([^:/?#]*)(?::([0-9]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$',
        ['scheme', 'user', 'pass', 'host', 'port', 'path', 'query', 'frag'])""",
    r"""CREATE OR REPLACE MACRO kql_parse_url_(r) AS
        CASE WHEN r.scheme = '' THEN CAST('{}' AS JSON) ELSE json_object(
          'Scheme', r.scheme, 'Host', r.host, 'Port', r.port, 'Path', r.path, 'Username', r.user, 'Password', r.pass,
          'Query Parameters', kql_urlquery_bag(r.query), 'Fragment', r.frag) END""",
    r"""CREATE OR REPLACE MACRO kql_parse_url(u) AS kql_parse_url_(kql_url_re(u))""",
    # parse_csv: the first record's fields
    r"""CREATE OR REPLACE MACRO kql_parse_csv(s) AS to_json(list_transform(
        regexp_extract_all(regexp_extract(s, '^(?:"(?:[^"]|"")*"|[^,\r\n"]*)(?:,(?:"(?:[^"]|"")*"|[^,\r\n"]*))*', 0),
                           '(?:^|,)("(?:[^"]|"")*"|[^,\r\n"]*)', 1),
        lambda f: CASE WHEN left(f, 1) = '"' THEN replace(substr(f, 2, length(f) - 2), '""', '"') ELSE f END))""",
    # position (0-based) of the occ-th non-overlapping regex match in x, -1 if none
    r"""CREATE OR REPLACE MACRO kql_indexof_regex(x, pat, occ) AS
        CASE WHEN len(regexp_extract_all(x, pat, 0)) < occ THEN -1 ELSE
          coalesce(list_sum(list_transform(list_slice(regexp_split_to_array(x, pat), 1, occ), lambda p: length(p))), 0)
          + coalesce(list_sum(list_transform(list_slice(regexp_extract_all(x, pat, 0), 1, occ - 1), lambda p: length(p))), 0)
        END""",
]


def _unit_ticks() -> str:
    from ..kql.lexer import TIMESPAN_UNITS
    whens = " ".join(f"WHEN '{u}' THEN {int(round(v * 10))}" for u, v in TIMESPAN_UNITS.items())
    return f"CASE lower(r.u) {whens} END"


MACROS = [m.replace("%(UNIT_TICKS)s", _unit_ticks()) for m in MACROS]


_MACRO_NAME = re.compile(r"CREATE\s+OR\s+REPLACE\s+MACRO\s+(\w+)")
_USED = re.compile(r"\bkql_\w+")
_index_cache: dict = {}


def _index() -> dict[str, str]:
    """Macro name -> its CREATE statement (rebuilt if MACROS grew)."""
    if _index_cache.get("n") != len(MACROS):
        _index_cache.clear()
        _index_cache["n"] = len(MACROS)
        _index_cache["map"] = {_MACRO_NAME.search(m).group(1): m for m in MACROS}
    return _index_cache["map"]


def needed(sql_texts) -> list[str]:
    """The macros these SQL texts use, with the macros they use, dependencies first."""
    index = _index()
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen or name not in index:
            return
        seen.add(name)
        for dep in _USED.findall(index[name].split("AS", 1)[-1]):
            if dep != name:
                visit(dep)
        order.append(name)

    for text in sql_texts:
        for name in _USED.findall(text):
            visit(name)
    return order


def install(con, sql_texts=None, installed: set | None = None) -> set[str]:
    """Create, in the connection's temporary schema (so read-only workspaces work too), the macros that
    `sql_texts` use (all of them when None) and are not in `installed`. Binding costs time (some macros take
    ~1 s), so only what a query needs is created. Returns the names now installed."""
    installed = set() if installed is None else installed
    names = list(_index()) if sql_texts is None else needed(sql_texts)
    todo = [n for n in names if n not in installed]
    if todo:
        index = _index()
        con.execute(";\n".join(index[n].replace("CREATE OR REPLACE MACRO", "CREATE OR REPLACE TEMP MACRO", 1)
                               for n in todo))
        installed.update(todo)
    return installed



# ---------------------------------------------------------------------------------------------- dynamic values
# (functions/dynamic.py, arrays.py, bags.py). A dynamic value is JSON; arrays are handled as JSON[] lists,
# bags as lists of {key, value} entries.
DYNAMIC_MACROS = [
    # the elements of a JSON array as JSON[]; NULL for anything that is not an array
    r"""CREATE OR REPLACE MACRO kql_arr(x) AS
        CASE WHEN json_type(x) = 'ARRAY' THEN CAST(json_extract(x, '$[*]') AS JSON[]) END""",
    # the entries of a JSON object as [{key, value}]; NULL for anything that is not a bag
    r"""CREATE OR REPLACE MACRO kql_entries(x) AS map_entries(TRY_CAST(x AS MAP(VARCHAR, JSON)))""",
    # entries -> bag; the first entry of a duplicated key wins (sort by key, then position; keep the first of each run)
    r"""CREATE OR REPLACE MACRO kql_bag_dedup(s) AS
        list_transform(list_filter(s, lambda e, i: i = 1 OR s[i - 1].k IS DISTINCT FROM e.k),
                       lambda e: {'key': e.k, 'value': e.v})""",
    r"""CREATE OR REPLACE MACRO kql_bag_of(es) AS
        CAST(to_json(map_from_entries(coalesce(kql_bag_dedup(list_sort(
            list_transform(list_filter(es, lambda e: e.key IS NOT NULL), lambda e, i: {'k': e.key, 'i': i, 'v': e.value}))),
            []))) AS JSON)""",
    # order-preserving distinct of a JSON[] (set_union & co keep first occurrences)
    r"""CREATE OR REPLACE MACRO kql_distinct(l) AS list_filter(l, lambda v, i: list_position(l, v) = i)""",
    # array_sort_*: element classes in Kusto's order (numbers, strings, others); NULL marks a null element
    r"""CREATE OR REPLACE MACRO kql_sort_class(v) AS
        CASE json_type(v) WHEN 'BIGINT' THEN 0 WHEN 'UBIGINT' THEN 0 WHEN 'DOUBLE' THEN 0 WHEN 'VARCHAR' THEN 1
                          WHEN 'NULL' THEN NULL ELSE 3 END""",
    # sgn -1 (a DESC sort) keeps the class order while values within a class go descending
    r"""CREATE OR REPLACE MACRO kql_sort_key(v, i, nullrank, sgn) AS
        {'z': CASE WHEN kql_sort_class(v) IS NULL THEN nullrank ELSE 1 - nullrank END,
         'c': sgn * kql_sort_class(v),
         'n': CASE WHEN kql_sort_class(v) = 0 THEN TRY_CAST(json_extract_string(v, '$') AS DOUBLE) END,
         'b': CASE WHEN kql_sort_class(v) = 0 THEN TRY_CAST(json_extract_string(v, '$') AS HUGEINT) END,
         's': CASE WHEN kql_sort_class(v) = 1 THEN json_extract_string(v, '$') ELSE CAST(v AS VARCHAR) END,
         'i': i}""",
    # array_index_of(arr, value, start, length, occurrence) (array-index-of-function.md)
    r"""CREATE OR REPLACE MACRO kql_array_index_of(l, v, st, ln, occ) AS
        CASE WHEN l IS NULL OR occ < 0 OR ln < -1 THEN NULL
             ELSE coalesce(list_filter(
                 list_transform(l, lambda x, i: CASE WHEN x = v
                      AND i - 1 >= (CASE WHEN st < 0 THEN greatest(len(l) + st, 0) ELSE st END)
                      AND (ln = -1 OR i - 1 < (CASE WHEN st < 0 THEN greatest(len(l) + st, 0) ELSE st END) + ln)
                      THEN i - 1 END),
                 lambda p: p IS NOT NULL)[occ], -1) END""",
]

# dynamic_to_json: keys sorted at every level. DuckDB macros cannot recurse, so the levels are unrolled; a bag nested
# deeper than the last level raises instead of being printed unsorted.
_SJ_DEPTH = 3
DYNAMIC_MACROS.append(
    r"""CREATE OR REPLACE MACRO kql_sj0(x) AS
        CASE WHEN json_type(x) IN ('OBJECT', 'ARRAY') AND contains(CAST(x AS VARCHAR), '{')
             THEN error('unsupported: dynamic_to_json() of a value with bags nested more than 3 levels deep')
             ELSE CAST(json(x) AS VARCHAR) END""")
for _n in range(1, _SJ_DEPTH + 1):
    DYNAMIC_MACROS.append(
        f"""CREATE OR REPLACE MACRO kql_sj{_n}(x) AS
        CASE WHEN json_type(x) IN ('OBJECT', 'ARRAY') THEN
          (CASE WHEN json_type(x) = 'OBJECT' THEN '{{' ELSE '[' END)
          || array_to_string(list_transform(
               CASE WHEN json_type(x) = 'OBJECT' THEN list_sort(map_entries(TRY_CAST(x AS MAP(VARCHAR, JSON))))
                    ELSE list_transform(CAST(json_extract(x, '$[*]') AS JSON[]),
                                        lambda e: {{'key': CAST(NULL AS VARCHAR), 'value': e}}) END,
               lambda e: coalesce(CAST(to_json(e.key) AS VARCHAR) || ':', '') || kql_sj{_n - 1}(e.value)), ',')
          || (CASE WHEN json_type(x) = 'OBJECT' THEN '}}' ELSE ']' END)
        ELSE CAST(json(x) AS VARCHAR) END""")
DYNAMIC_MACROS.append(f"CREATE OR REPLACE MACRO kql_dynamic_to_json(x) AS kql_sj{_SJ_DEPTH}(x)")
MACROS.extend(DYNAMIC_MACROS)
