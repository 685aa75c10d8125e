"""Parser: the grammar Sentinel content uses, and one-line errors with line:column and what was expected."""
from __future__ import annotations

import glob

import pytest
import yaml

from tests.conftest import SHARED
from kqlhunt import KqlError
from kqlhunt.kql import ast as A
from kqlhunt.kql import parse


def err(text: str) -> KqlError:
    with pytest.raises(KqlError) as info:
        parse(text)
    return info.value


def test_every_asim_process_rule_parses():
    """Issue 2: every ASIM process rule in shared/sentinel/rules parses (one file's YAML does not load, so its
    query cannot be read). A join without `on` parses (Sentinel's KQL validation accepts it) and is refused at
    compile time: see test_join_without_on_is_unsupported."""
    failures = {}
    for path in sorted(glob.glob(str(SHARED / "sentinel" / "rules" / "**" / "*.yaml"), recursive=True)):
        try:
            doc = yaml.safe_load(open(path, encoding="utf-8"))
        except yaml.YAMLError:
            failures[path.split("/")[-1]] = "yaml"
            continue
        try:
            parse(doc["query"])
        except KqlError as e:
            failures[path.split("/")[-1]] = e.message
    assert failures == {
        "imProcess_PotentialBuildProcessCompromise.yaml": "yaml",
    }


def test_join_without_on_is_unsupported():
    import kqlhunt
    engine = kqlhunt.Engine(asim=False)
    with pytest.raises(KqlError) as info:
        engine.query("print a = 1 | join (print b = 2)")
    assert str(info.value) == ("unsupported: join without an 'on' clause (join-operator.md documents no meaning "
                               "for it) at line 1:15")


def test_error_has_line_column_and_caret():
    e = err("T\n| where x ==\n| take 1")
    assert str(e) == "expected an expression but found '|' at line 3:1"
    assert e.render() == "expected an expression but found '|' at line 3:1\n  | take 1\n  ^"


def test_unknown_operator_is_named():
    assert str(err("T | frobnicate x")) == "unknown tabular operator 'frobnicate' at line 1:5"


def test_unsupported_operator_says_unsupported():
    e = err("T | fork (take 1)")
    assert str(e) == "unsupported: fork operator at line 1:5"
    assert e.kind == "unsupported"


def test_unterminated_string():
    assert str(err("print 'abc")) == "unterminated string literal at line 1:7"


def test_string_literal_forms():
    """query/scalar-data-types/string.md: escapes, verbatim, multi-line, obfuscated, adjacent concatenation."""
    body = parse('print a="x\\ty", b=@"c:\\dir", c=```\nline\n```, d=h"secret", e="con" \'cat\'')
    values = [item.expr.value for item in body.result.items]
    assert values == ["x\ty", "c:\\dir", "\nline\n", "secret", "concat"]


def test_literals_typed():
    body = parse("print datetime(2017-01-01 10:10:17), 1d, 1.5h, timespan(2.00:00:00), int(null), real(nan), "
                 "dynamic({'a':[1,2]}), guid(74be27de-1e4e-49d9-b579-fe0b331d3642), 0x1F, -3")
    lits = [(i.expr.type, i.expr.value) for i in body.result.items]
    import datetime as dt
    import math
    assert lits[0] == ("datetime", dt.datetime(2017, 1, 1, 10, 10, 17))
    assert lits[1] == ("timespan", 86_400_000_000)
    assert lits[2] == ("timespan", 5_400_000_000)
    assert lits[3] == ("timespan", 2 * 86_400_000_000)
    assert lits[4] == ("int", None)
    assert lits[5][0] == "real" and math.isnan(lits[5][1])
    assert lits[6] == ("dynamic", {"a": [1, 2]})
    assert lits[7] == ("guid", "74be27de-1e4e-49d9-b579-fe0b331d3642")
    assert lits[8] == ("long", 31)
    assert lits[9] == ("long", -3)


def test_let_function_and_operators():
    body = parse("let f = (x:long, y:string='a') { x + 1 };\nlet T = view () { print z=1 };\n"
                 "T | project-away z | mv-expand kind=array d to typeof(long) | join kind=leftouter (U) on $left.a == $right.b")
    assert [l.name for l in body.lets] == ["f", "T"]
    f = body.lets[0].value
    assert isinstance(f, A.FunctionDef) and [(p.name, p.type) for p in f.params] == [("x", "long"), ("y", "string")]
    ops = body.result.ops
    assert [type(o).__name__ for o in ops] == ["ProjectAway", "MvExpand", "Join"]
    assert ops[1].kind == "array" and ops[1].items[0].to_type == "long"
    assert ops[2].kind == "leftouter"


def test_negated_and_case_insensitive_list_operators():
    body = parse("T | where a !in~ ('x') and b in~ ('y') and c !has_cs 'z' and d !between (1 .. 2) and e matches regex 'q'")
    conj = []
    node = body.result.ops[0].predicate
    while isinstance(node, A.Binary) and node.op == "and":
        conj.append(node.right)
        node = node.left
    conj.append(node)
    ops = sorted(getattr(n, "op", "between") for n in conj)
    assert ops == ["!has_cs", "!in~", "between", "in~", "matches regex"]
