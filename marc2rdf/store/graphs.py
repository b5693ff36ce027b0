"""The named graphs of a dataset: one per record, one for the dataset description.

This is the one place that says which graph a record's triples live in; every writer of quads
(the stores here, N-Quads and TriG dumps) derives graph names from it.
"""

from __future__ import annotations

from pymarc import Record

from marc2rdf.mapping.terms import iri


def record_graph(base: str, record_id: str) -> str:
    """``<{base}{record id}>``: the record's Work IRI without ``#Work`` (an N-Triples term)."""
    return iri(base + record_id)


def graph_of(mapper, record: Record) -> str:
    """The graph of ``record`` as ``mapper`` (a compiled profile) names its nodes."""
    return record_graph(mapper.base, mapper.record_id(record))


def dataset_graph(base: str) -> str:
    """``<{base}dataset>``: the graph holding the dataset description (counts, profiles)."""
    return iri(base + "dataset")
