"""Golden cases for the schema profile, one per rule id, as for BIBFRAME (tests/cases.py):
``tests/schema_cases/<rule id>/record.mrk`` (the smallest real record the rule fires on, from the seed and
the corpus) and ``expected.nt`` (exactly the triples that rule makes from it; isomorphism).

Regenerate on purpose, and review the diff:  python tests/cases.py --profile schema [RULE...]
"""

from functools import lru_cache

import pytest

from cases import SCHEMA, check_case

CASE_DIRS = SCHEMA.case_dirs()
# rules no record of the seed or the corpus exercises; listed so that adding one is noticed
NO_CASE: set[str] = set()


@lru_cache(maxsize=1)
def mapper():
    return SCHEMA.mapper()


@pytest.mark.parametrize("case", CASE_DIRS, ids=lambda p: p.name)
def test_rule_output(case):
    check_case(mapper(), case)


def test_every_rule_has_a_case():
    rules = {rid for rid, _ in mapper().rules}
    assert rules - {p.name for p in CASE_DIRS} == NO_CASE
    assert {p.name for p in CASE_DIRS} <= rules, "a case for a rule that no longer exists"
