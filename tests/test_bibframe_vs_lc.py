"""How many of the facts LC's marc2bibframe2 states, marc2rdf's BIBFRAME profile states too.

For every record in tests/data/reference-bibframe/ (LC's output on corpus records and on the
seed), both graphs are reduced to facts by tests/bffacts.py, independently of IRI minting, and
recall is measured per kind of fact. The floors below are what the profile achieves today; a
change that loses facts fails here. Run this file with `-s` to print the table.

Every LC fact we do not state is explained in tests/lc_misses_ledger.py (LC is wrong, or we
differ on purpose, or the mapping engine cannot say it yet); `python tests/lc_misses.py` lists
them. A miss no cause explains fails here, and so does a cause that explains no miss.
"""

from __future__ import annotations

import collections
from functools import lru_cache

import lc_misses
import pytest
from lc_misses_ledger import LEDGER

import bffacts

# recall floors per kind (hits / LC facts over all reference records)
FLOORS = {
    "title": 0.99, "contribution": 0.99, "primary_contribution": 1.0, "agent_type": 1.0,
    "subject": 0.99, "subject_source": 0.99, "genre": 0.99, "identifier": 1.0,
    "identifier_status": 1.0, "identifier_qualifier": 1.0, "language": 0.99, "provision": 0.91,
    "provision_date": 0.95, "provision_place": 0.99, "provision_agent": 0.99, "date": 0.95,
    "extent": 0.99, "dimensions": 1.0, "note": 0.99, "summary": 1.0, "table_of_contents": 1.0,
    "classification": 0.99, "edition": 1.0, "series": 0.96, "locator": 0.99, "content_type": 0.99,
    "media_type": 1.0, "carrier_type": 0.73, "related": 0.90, "work_type": 1.0, "instance_type": 1.0,
}
OVERALL_FLOOR = 0.985


@lru_cache(maxsize=1)
def comparison():
    hits, totals = collections.Counter(), collections.Counter()
    for ref in lc_misses.references():
        ours, theirs = lc_misses.compared(ref.stem)
        assert set(theirs) <= set(ours), f"{ref.name}: records LC converted that we did not"
        for kind, (h, t) in bffacts.recall(ours, theirs).items():
            hits[kind] += h
            totals[kind] += t
    return hits, totals


@pytest.mark.parametrize("kind", sorted(FLOORS))
def test_recall_per_kind(kind):
    hits, totals = comparison()
    assert totals[kind] > 0
    assert hits[kind] / totals[kind] >= FLOORS[kind], f"{kind}: {hits[kind]}/{totals[kind]}"


def test_overall_recall(capsys):
    hits, totals = comparison()
    overall = sum(hits.values()) / sum(totals.values())
    with capsys.disabled():
        print(f"\n{'kind':24}{'ours':>7}{'LC':>7}  recall")
        for kind in bffacts.KINDS:
            if totals[kind]:
                print(f"{kind:24}{hits[kind]:7}{totals[kind]:7}  {hits[kind] / totals[kind]:.1%}")
        print(f"{'overall':24}{sum(hits.values()):7}{sum(totals.values()):7}  {overall:.1%}")
    assert overall >= OVERALL_FLOOR


# ---------------------------------------------------------------------------------------------
# every miss explained


@lru_cache(maxsize=1)
def explained() -> tuple[list, dict]:
    """(misses no cause explains, cause name -> the misses it explains)."""
    unexplained, by_cause = [], {c.name: [] for c in LEDGER}
    for miss in lc_misses.misses():
        record = lc_misses.marc_records(miss.file)[miss.record]
        causes = [c.name for c in LEDGER if c.explains(miss, record)]
        if not causes:
            unexplained.append(miss)
        for name in causes:
            by_cause[name].append(miss)
    return unexplained, by_cause


def _show(misses) -> str:
    return "\n".join(f"  {m.file} {m.record} {m.kind} {m.fact!r}" for m in misses)


def test_every_miss_is_explained():
    unexplained, _ = explained()
    assert not unexplained, f"{len(unexplained)} LC facts we miss with no cause in lc_misses_ledger.py:\n" + _show(
        unexplained
    )


def test_no_stale_explanation():
    _, by_cause = explained()
    stale = [name for name, misses in by_cause.items() if not misses]
    assert not stale, f"causes that explain no miss any more (remove them): {stale}"


def test_each_miss_has_one_cause():
    # causes are precise: two that explain the same miss say it twice, or one is too broad
    _, by_cause = explained()
    seen = collections.Counter(m for misses in by_cause.values() for m in misses)
    twice = [m for m, k in seen.items() if k > 1]
    assert not twice, "misses explained by more than one cause:\n" + _show(twice)


def test_ledger_is_well_formed():
    names = [c.name for c in LEDGER]
    assert len(names) == len(set(names))
    for c in LEDGER:
        assert set(c.kinds) <= set(bffacts.KINDS), c.name
        assert c.reason.strip().endswith("."), c.name
        assert len(c.reason) > 60, c.name  # a reason names the MARC evidence


def test_ledger_summary(capsys):
    _, by_cause = explained()
    with capsys.disabled():
        print(f"\n{'cause':44}{'misses':>7}  fault")
        for c in LEDGER:
            print(f"{c.name:44}{len(by_cause[c.name]):7}  {'LC' if c.lc_wrong else 'ours/by design'}")
