"""How many of the facts LC's marc2bibframe2 states, marc2rdf's BIBFRAME profile states too.

For every record in tests/data/reference-bibframe/ (LC's output on corpus records and on the
seed), both graphs are reduced to facts by tests/bffacts.py, independently of IRI minting, and
recall is measured per kind of fact. The floors below are what the profile achieves today; a
change that loses facts fails here. Run this file with `-s` to print the table.
"""

from __future__ import annotations

import collections
from functools import lru_cache

import pytest
import rdflib

from marc2rdf.mapping import load_mappers
from marc2rdf.readers import read

import bffacts
from support import CORPUS, DATA

REFERENCE = DATA / "reference-bibframe"

# recall floors per kind (hits / LC facts over all reference records)
FLOORS = {
    "title": 0.99, "contribution": 0.96, "primary_contribution": 1.0, "agent_type": 1.0,
    "subject": 0.92, "subject_source": 0.91, "genre": 0.84, "identifier": 0.97,
    "identifier_status": 0.75, "identifier_qualifier": 0.96, "language": 0.98, "provision": 0.89,
    "provision_date": 0.94, "provision_place": 0.93, "provision_agent": 0.99, "date": 0.90,
    "extent": 0.99, "dimensions": 1.0, "note": 0.99, "summary": 1.0, "table_of_contents": 0.98,
    "classification": 0.96, "edition": 1.0, "series": 0.88, "locator": 0.99, "content_type": 0.99,
    "media_type": 1.0, "carrier_type": 0.71, "related": 0.72, "work_type": 1.0, "instance_type": 1.0,
}
OVERALL_FLOOR = 0.95


def _source(ref):
    stem = ref.stem
    return REFERENCE / "seed.input.xml" if stem == "seed" else CORPUS / "marcxml" / f"{stem}.xml"


@lru_cache(maxsize=1)
def comparison():
    mapper = load_mappers(["bibframe"])[0]
    relator_terms = _relator_terms()
    hits, totals = collections.Counter(), collections.Counter()
    for ref in sorted(REFERENCE.glob("*.rdf")):
        lines = [f"{s} {p} {o} .\n" for item in read(_source(ref)) for s, p, o in mapper.map(item.record)]
        ours_graph = rdflib.Graph()
        ours_graph.parse(data="".join(lines), format="nt")
        ours = bffacts.facts(ours_graph, relator_terms=relator_terms)
        theirs = bffacts.facts(bffacts.load(ref), relator_terms=relator_terms)
        assert set(theirs) <= set(ours), f"{ref.name}: records LC converted that we did not"
        for kind, (h, t) in bffacts.recall(ours, theirs).items():
            hits[kind] += h
            totals[kind] += t
    return hits, totals


def _relator_terms():
    from marc2rdf.mapping.maps import load_table
    from marc2rdf.mapping.profile import MAPPINGS_DIR

    return load_table(MAPPINGS_DIR / "maps" / "relator_terms.tsv").column("code")


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
