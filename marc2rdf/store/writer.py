"""Writing a dataset into a store, a named graph per record: what every target shares.

A load is a stream of *units*: a graph name and triples (N-Triples term strings), usually one
record. Units go in batches. The first unit of a graph in a run replaces what the store held
in that graph; a later unit of the same graph in the same run (two records with one id, or a
long graph of an RDF file) adds to it. So re-loading a record replaces its graph, loading
twice changes nothing, and after a load the record graphs hold exactly the quads of the run's
N-Quads dump.

A unit whose terms do not parse costs that unit (the caller rejects its record), never the
batch. After the last batch, the graph ``{base}dataset`` is refreshed with one SPARQL Update
that counts the store's graphs and triples, so it describes the whole store, not the last run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pyoxigraph as ox

from marc2rdf.mapping.terms import iri, literal
from marc2rdf.store.graphs import dataset_graph

Triple = tuple[str, str, str]
Event = tuple[str, Any, str]  # (kind, the unit's tag, text): "rejected", "merged", "same"

VOID = "http://rdfs.org/ns/void#"
DCTERMS = "http://purl.org/dc/terms/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"


class StoreError(Exception):
    """The store cannot be opened or written (after retries, for a store over HTTP)."""


def nquads(units: Iterable[tuple]) -> str:
    """Units ``(graph, triples, ...)`` as N-Quads text."""
    return "".join(f"{s} {p} {o} {u[0]} .\n" for u in units for s, p, o in u[1])


def description_update(base: str, profiles: Iterable[str]) -> str:
    """SPARQL Update refreshing the dataset description: its counts are computed by the store
    from every graph but this one, so the description is the same after a reload."""
    ds = dataset_graph(base)
    data = [f"{ds} a <{VOID}Dataset> ."]
    for name in profiles:
        profile = iri(f"{base}profile/{name}")
        data += [f"{ds} <{DCTERMS}conformsTo> {profile} .", f"{profile} <{RDFS}label> {literal(name)} ."]
    return (
        f"DELETE WHERE {{ GRAPH {ds} {{ {ds} <{VOID}triples> ?t }} }} ;\n"
        f"DELETE WHERE {{ GRAPH {ds} {{ {ds} <{VOID}documents> ?d }} }} ;\n"
        f"INSERT DATA {{ GRAPH {ds} {{\n  " + "\n  ".join(data) + "\n} } ;\n"
        f"INSERT {{ GRAPH {ds} {{ {ds} <{VOID}triples> ?t ; <{VOID}documents> ?d }} }}\n"
        f"WHERE {{ SELECT (COUNT(*) AS ?t) (COUNT(DISTINCT ?g) AS ?d)\n"
        f"        WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (?g != {ds}) }} }}\n"
    )


class Writer:
    """Batches units and decides, per graph, replace or add; subclasses send the batches."""

    def __init__(self, base: str, batch_size: int):
        if batch_size < 1:
            raise ValueError("a batch holds at least one record")
        self.base = base
        self.batch_size = batch_size  # units (records) a batch
        self.graphs = 0  # graphs written in this run
        self.triples = 0  # triples sent in this run
        self.batches = 0
        self.after_batch: Callable[[int], None] | None = None  # called with the batch number
        self._units: list[tuple[str, list[Triple], Any]] = []
        self._seen: dict[str, int] = {}  # graph -> digest of its first unit in this run

    def add(self, graph: str, triples: list[Triple], tag: Any = None) -> list[Event]:
        """Queue a unit; ``tag`` (the record) comes back in the events about it."""
        self._units.append((graph, triples, tag))
        return self.flush() if len(self._units) >= self.batch_size else []

    def flush(self) -> list[Event]:
        if not self._units:
            return []
        units, self._units = self._units, []
        events, good, quads = self._parse(units)
        batch, first_seen = [], {}
        for graph, triples, tag in good:
            digest = hash(tuple(triples))
            first = self._seen.get(graph, first_seen.get(graph))
            if first == digest:
                events.append(("same", tag, graph))
                continue
            if first is None:
                first_seen[graph] = digest
            else:
                events.append(("merged", tag, graph))
            batch.append((graph, triples, first is None))
        if batch:
            self._write(batch, quads)
        # counted once written: a batch that failed leaves the counts as they were
        self._seen.update(first_seen)
        self.graphs += len(first_seen)
        self.triples += sum(len(t) for _, t, _ in batch)
        self.batches += 1
        if self.after_batch is not None:
            self.after_batch(self.batches)
        return events

    def finish(self, profiles: Iterable[str] = ()) -> list[Event]:
        """Write what is left and refresh the dataset description."""
        events = self.flush()
        self._update(description_update(self.base, profiles))
        return events

    def _parse(self, units: list) -> tuple[list[Event], list, list[ox.Quad] | None]:
        """Checks the batch's terms: (events for units that do not parse, the good units, their
        quads)."""
        try:
            return [], units, list(ox.parse(nquads(units), format=ox.RdfFormat.N_QUADS))
        except SyntaxError:
            pass
        events, good = [], []
        for unit in units:
            try:
                list(ox.parse(nquads([unit]), format=ox.RdfFormat.N_QUADS))
                good.append(unit)
            except SyntaxError as exc:
                events.append(("rejected", unit[2], f"its RDF does not parse: {exc}"))
        return events, good, None

    # -- what a target does ------------------------------------------------------------------
    def _write(self, batch: list[tuple[str, list[Triple], bool]], quads: list[ox.Quad] | None) -> None:
        """Write units ``(graph, triples, replace)``; ``quads``, when not None, are the batch's
        parsed quads (those of units skipped as the same again included: adding them is a no-op)."""
        raise NotImplementedError

    def _update(self, sparql: str) -> None:
        raise NotImplementedError


BULK = 20_000  # quads from which a batch goes through the bulk loader


class EmbeddedWriter(Writer):
    """Into a :class:`pyoxigraph.Store`; batches of many quads go through its bulk loader."""

    def __init__(self, store: ox.Store, base: str, batch_size: int = 1000):
        super().__init__(base, batch_size)
        self.store = store
        # nothing to replace in a store without graphs: no removal costs a load into a new store
        self._fresh = next(iter(store.named_graphs()), None) is None

    def _write(self, batch, quads) -> None:
        try:
            self._load(batch, quads)
        except OSError as exc:  # a full disk, a store taken away
            raise StoreError(f"cannot write the store: {exc}") from exc

    def _load(self, batch, quads) -> None:
        if quads is None:
            quads = list(ox.parse(nquads(batch), format=ox.RdfFormat.N_QUADS))
        if not self._fresh:
            quads = self._replace([g[1:-1] for g, _, replace in batch if replace], quads)
        # parsed, not loaded from text: the store keeps the records' stable blank node labels
        if len(quads) >= BULK:
            self.store.bulk_extend(quads)
        elif quads:
            self.store.extend(quads)

    def _replace(self, graphs: list[str], quads: list[ox.Quad]) -> list[ox.Quad]:
        """Empties the graphs to be replaced, but those that already hold exactly the batch's quads
        (reloading an unchanged record writes nothing); returns the quads left to write."""
        new: dict[str, set[ox.Quad]] = {g: set() for g in graphs}
        for q in quads:
            if q.graph_name.value in new:
                new[q.graph_name.value].add(q)
        unchanged = set()
        for name, content in new.items():
            node = ox.NamedNode(name)
            if set(self.store.quads_for_pattern(None, None, None, node)) == content:
                unchanged.add(name)
            else:
                self.store.remove_graph(node)
        return [q for q in quads if q.graph_name.value not in unchanged] if unchanged else quads

    def _update(self, sparql: str) -> None:
        self.store.update(sparql)
        self.store.flush()

    def totals(self) -> tuple[int, int]:
        """(graphs, triples) of the store as its description counts them."""
        ds = dataset_graph(self.base)
        rows = list(self.store.query(
            f"SELECT ?d ?t WHERE {{ GRAPH {ds} {{ {ds} <{VOID}documents> ?d ; <{VOID}triples> ?t }} }}"))
        return (int(rows[0]["d"].value), int(rows[0]["t"].value)) if rows else (0, 0)
