"""The parser only ever returns a tree or raises KqlError: never another exception, never a hang (issue 2)."""
from __future__ import annotations

import glob
import signal

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SHARED
from kqlhunt import KqlError
from kqlhunt.kql import parse

SEEDS = []
for path in sorted(glob.glob(str(SHARED / "sentinel" / "rules" / "**" / "*.yaml"), recursive=True)):
    try:
        SEEDS.append(yaml.safe_load(open(path, encoding="utf-8"))["query"])
    except Exception:
        pass
SEEDS += [e["query"] for e in yaml.safe_load(open(SHARED / "kusto-conformance" / "corpus.yaml"))["entries"][:150]]

ALPHABET = st.sampled_from(list("abcxyz019 _-.,;:|()[]{}'\"@!=<>~*/+%\n\t\\$`") + [
    " where ", " extend ", " summarize ", " by ", " let ", "datetime(", "dynamic(", " has ", " in ", "| ", "```", "h'"])


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang()


def parse_safely(text: str) -> None:
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(2)
    try:
        parse(text)
    except KqlError:
        pass
    finally:
        signal.alarm(0)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ALPHABET, max_size=60).map("".join))
def test_random_text(text):
    parse_safely(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SEEDS), st.integers(min_value=0, max_value=10_000), st.integers(min_value=0, max_value=40),
       st.sampled_from(["", "(", ")", "|", "'", '"', "[", "]", ",", "==", "let x = ", ";", "\n", "{", "}", "@'", "datetime("]))
def test_mutated_real_queries(seed, at, cut, insert):
    """Cut, truncate and splice real Sentinel and documentation queries."""
    i = at % (len(seed) + 1)
    parse_safely(seed[:i] + insert + seed[i + cut:])
    parse_safely(seed[:i])
