"""Golden tests per rule id: each case's record, mapped, gives exactly the expected triples for
its rule (graph isomorphism). Regenerate on purpose with `python tests/cases.py`, review the diff."""

from functools import lru_cache

import pytest
import rdflib
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from marc2rdf.mapping import load_mappers
from marc2rdf.readers import read

from cases import CASES, rule_triples

CASE_DIRS = sorted(p for p in CASES.iterdir() if p.is_dir())
# a rule no corpus record exercises has no case; listed here so that adding one is noticed
NO_CASE = {"notes.contents_uri"}


@lru_cache(maxsize=1)
def mapper():
    return load_mappers(["bibframe"])[0]


def graph(lines: str) -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(data=lines, format="nt")
    return g


@pytest.mark.parametrize("case", CASE_DIRS, ids=lambda p: p.name)
def test_rule_output(case):
    (item,) = list(read(case / "record.mrk"))
    got = graph("".join(f"{s} {p} {o} .\n" for s, p, o in rule_triples(mapper(), item.record, case.name)))
    want = graph((case / "expected.nt").read_text(encoding="utf-8"))
    assert len(want) > 0
    if not isomorphic(got, want):
        _, only_got, only_want = graph_diff(to_isomorphic(got), to_isomorphic(want))
        pytest.fail(f"{case.name}\nunexpected:\n{only_got.serialize(format='nt')}\nmissing:\n{only_want.serialize(format='nt')}")


def test_every_rule_has_a_case():
    rules = {rid for rid, _ in mapper().rules}
    assert rules - {p.name for p in CASE_DIRS} == NO_CASE
    assert {p.name for p in CASE_DIRS} <= rules, "a case for a rule that no longer exists"
