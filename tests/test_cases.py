"""Golden tests per rule id: each case's record, mapped, gives exactly the expected triples for
its rule (graph isomorphism). Regenerate on purpose with `python tests/cases.py`, review the diff."""

from functools import lru_cache

import pytest

from cases import BIBFRAME, check_case

CASE_DIRS = BIBFRAME.case_dirs()
# a rule no corpus record exercises has no case; listed here so that adding one is noticed
NO_CASE = {"notes.contents_uri"}


@lru_cache(maxsize=1)
def mapper():
    return BIBFRAME.mapper()


@pytest.mark.parametrize("case", CASE_DIRS, ids=lambda p: p.name)
def test_rule_output(case):
    check_case(mapper(), case)


def test_every_rule_has_a_case():
    rules = {rid for rid, _ in mapper().rules}
    assert rules - {p.name for p in CASE_DIRS} == NO_CASE
    assert {p.name for p in CASE_DIRS} <= rules, "a case for a rule that no longer exists"
