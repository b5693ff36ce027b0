"""Triple stores: an embedded Oxigraph store by default, any SPARQL 1.1 store over HTTP.

A loaded dataset holds one named graph per record, ``{base}{record id}`` (:mod:`.graphs`), and
``{base}dataset``, its description (VoID counts of graphs and triples, the profiles).

    >>> from marc2rdf.store import open_store, query
    >>> store = open_store("catalogue.db")
    >>> for row in query(store, "SELECT ?w WHERE { ?w a bf:Work } LIMIT 3"): ...
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from marc2rdf.store.graphs import dataset_graph, graph_of, record_graph
from marc2rdf.store.query import QUERY_PREFIXES, query, query_endpoint
from marc2rdf.store.sparql_http import HttpWriter
from marc2rdf.store.writer import EmbeddedWriter, StoreError, Writer


def open_store(path: str | Path, read_only: bool = False) -> ox.Store:
    """The embedded store in directory ``path`` (created when missing, unless ``read_only``).
    Query it with :func:`query` to have the prefixes declared and the union default graph."""
    path = Path(path)
    try:
        if read_only:
            if not path.is_dir():
                raise StoreError(f"{path}: no store here (make one with `marc2rdf load ... --store {path}`)")
            return ox.Store.read_only(str(path))
        path.parent.mkdir(parents=True, exist_ok=True)
        return ox.Store(str(path))
    except OSError as exc:
        busy = " (another process has it open for writing)" if "LOCK" in str(exc) else ""
        raise StoreError(f"{path}: cannot open the store{busy}: {exc}") from exc


def open_graph(path: str | Path):
    """The store as an rdflib ``Dataset`` whose default graph is the union of the record graphs
    (needs ``oxrdflib``: ``pip install marc2rdf[rdflib]``)."""
    from oxrdflib import OxigraphStore
    from rdflib import Dataset

    return Dataset(store=OxigraphStore(store=open_store(path)), default_union=True)


__all__ = [
    "QUERY_PREFIXES",
    "EmbeddedWriter",
    "HttpWriter",
    "StoreError",
    "Writer",
    "dataset_graph",
    "graph_of",
    "open_graph",
    "open_store",
    "query",
    "query_endpoint",
    "record_graph",
]
