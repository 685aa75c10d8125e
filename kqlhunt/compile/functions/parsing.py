"""Structured-text parsers: parse_command_line, parse_path, parse_url, parse_urlquery, parse_csv
(query/<name>-function.md). Each returns dynamic built in SQL (macros `kql_parse_*` in engine/macros.py).
parse_version (a decimal wider than a double) and parse_xml are not implemented (unsupported).
"""
from __future__ import annotations

from ..types import E
from . import scalar


def _s(a, i: int) -> str:
    return a.ec.nn(a[i])


@scalar("parse_command_line")
def f_parse_command_line(a):
    """parse-command-line-function.md: parser "windows" splits like CommandLineToArgvW (program name up to the
    closing quote or first blank; then blanks separate, quotes group, 2n backslashes + quote -> n backslashes and a
    quote toggle, 2n+1 -> n backslashes and a literal quote, a third consecutive quote is literal). An empty command
    line gives [] (CommandLineToArgvW itself would return the caller's own path)."""
    a.check(2)
    t = a[1]
    if not t.is_const or str(t.const).lower() != "windows":
        raise a.unsupported("parse_command_line() with a parser type other than \"windows\"")
    return E(f"kql_parse_command_line({_s(a, 0)})", "dynamic")


@scalar("parse_path")
def f_parse_path(a):
    """parse-path-function.md: Scheme, RootPath, DirectoryPath, DirectoryName, Filename, Extension,
    AlternateDataStreamName (the page's five examples define the split)."""
    a.check(1)
    return E(f"kql_parse_path({_s(a, 0)})", "dynamic")


@scalar("parse_url")
def f_parse_url(a):
    """parse-url-function.md: Scheme, Host, Port, Path, Username, Password, Query Parameters, Fragment; an input
    that is not an absolute URL gives an empty bag."""
    a.check(1)
    return E(f"kql_parse_url({_s(a, 0)})", "dynamic")


@scalar("parse_urlquery")
def f_parse_urlquery(a):
    """parse-urlquery-function.md: {"Query Parameters": {key: value}} (values URL-decoded)."""
    a.check(1)
    return E(f"json_object('Query Parameters', kql_urlquery_bag({_s(a, 0)}))", "dynamic")


@scalar("parse_csv")
def f_parse_csv(a):
    """parse-csv-function.md: the fields of the first record; "" inside a quoted field is a quote."""
    a.check(1)
    return E(f"kql_parse_csv({_s(a, 0)})", "dynamic")
