"""KQL semantics that need SQL helpers at run time (non-constant needles, text forms of datetimes and
timespans, Kusto's datetime parsing), installed as DuckDB macros on every connection the engine opens."""
from __future__ import annotations

TERM_EDGE_START = r"(?:^|[^\pL\pN])"
TERM_EDGE_END = r"(?:$|[^\pL\pN])"

MACROS = [
    # has-family with a needle known only at run time (strops.py handles constant needles inline)
    r"""CREATE OR REPLACE MACRO kql_term_regex(n, lead, trail) AS
        (CASE WHEN lead AND regexp_matches(n, '^[\pL\pN]') THEN '(?:^|[^\pL\pN])' ELSE '' END)
        || regexp_escape(n) ||
        (CASE WHEN trail AND regexp_matches(n, '[\pL\pN]$') THEN '(?:$|[^\pL\pN])' ELSE '' END)""",
    r"""CREATE OR REPLACE MACRO kql_has(x, n) AS
        CASE WHEN coalesce(n, '') = '' THEN TRUE
             ELSE contains(lower(coalesce(x, '')), lower(n))
                  AND regexp_matches(coalesce(x, ''), '(?i)' || kql_term_regex(n, TRUE, TRUE)) END""",
    r"""CREATE OR REPLACE MACRO kql_has_cs(x, n) AS
        CASE WHEN coalesce(n, '') = '' THEN TRUE
             ELSE contains(coalesce(x, ''), n) AND regexp_matches(coalesce(x, ''), kql_term_regex(n, TRUE, TRUE)) END""",
    r"""CREATE OR REPLACE MACRO kql_hasprefix(x, n) AS
        CASE WHEN coalesce(n, '') = '' THEN TRUE
             ELSE regexp_matches(coalesce(x, ''), '(?i)' || kql_term_regex(n, TRUE, FALSE)) END""",
    r"""CREATE OR REPLACE MACRO kql_hasprefix_cs(x, n) AS
        CASE WHEN coalesce(n, '') = '' THEN TRUE ELSE regexp_matches(coalesce(x, ''), kql_term_regex(n, TRUE, FALSE)) END""",
    r"""CREATE OR REPLACE MACRO kql_hassuffix(x, n) AS
        CASE WHEN coalesce(n, '') = '' THEN TRUE
             ELSE regexp_matches(coalesce(x, ''), '(?i)' || kql_term_regex(n, FALSE, TRUE)) END""",
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
    r"""CREATE OR REPLACE MACRO kql_todatetime(s) AS
        coalesce(TRY_CAST(replace(trim(s), 'Z', '') AS TIMESTAMP),
                 CAST(TRY_CAST(trim(s) AS TIMESTAMPTZ) AS TIMESTAMP),
                 TRY_STRPTIME(trim(s), '%m-%d-%Y'),
                 TRY_STRPTIME(trim(s), '%a, %d %b %Y %H:%M:%S GMT'))""",
    r"""CREATE OR REPLACE MACRO kql_totimespan(s) AS
        CASE WHEN regexp_matches(trim(s), '^-?(\d+\.)?\d{1,2}:\d{2}(:\d{2}(\.\d{1,7})?)?$') THEN
          (CASE WHEN starts_with(trim(s), '-') THEN -1 ELSE 1 END) * (
            coalesce(TRY_CAST(nullif(regexp_extract(trim(s), '^-?(\d+)\.\d{1,2}:', 1), '') AS BIGINT), 0) * 86400000000
            + CAST(regexp_extract(trim(s), '(\d{1,2}):(\d{2})', 1) AS BIGINT) * 3600000000
            + CAST(regexp_extract(trim(s), '(\d{1,2}):(\d{2})', 2) AS BIGINT) * 60000000
            + coalesce(TRY_CAST(nullif(regexp_extract(trim(s), ':\d{2}:(\d{2})', 1), '') AS BIGINT), 0) * 1000000
            + coalesce(TRY_CAST(rpad(nullif(regexp_extract(trim(s), '\.(\d{1,7})$', 1), ''), 7, '0') AS BIGINT) // 10, 0))
        END""",
    r"""CREATE OR REPLACE MACRO kql_parse_json(s) AS
        CASE WHEN s IS NULL OR trim(s) = '' THEN NULL
             WHEN json_valid(s) THEN CAST(s AS JSON)
             ELSE to_json(s) END""",
    r"""CREATE OR REPLACE MACRO kql_indexof(x, n, st, len, occ) AS
        CASE WHEN st IS NULL THEN NULL ELSE
          (SELECT CASE WHEN p IS NULL THEN -1 ELSE p END FROM (
             SELECT (list_filter(list_transform(range(length(x)), lambda i: CASE WHEN substr(x, i + 1, length(n)) = n THEN i END),
                     lambda i: i IS NOT NULL AND i >= (CASE WHEN st < 0 THEN greatest(length(x) + st, 0) ELSE st END)
                          AND (len = -1 OR i + length(n) <= (CASE WHEN st < 0 THEN greatest(length(x) + st, 0) ELSE st END) + len)))[occ] AS p))
        END""",
]


def install(con) -> None:
    con.execute(";\n".join(MACROS))

