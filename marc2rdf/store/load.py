"""``marc2rdf load``: MARC records (mapped as ``convert`` maps them) and RDF files into a store."""

from __future__ import annotations

from marc2rdf.mapping.terms import iri, is_absolute_iri
from marc2rdf.pipeline import Run
from marc2rdf.readers.base import InputError
from marc2rdf.store import rdf
from marc2rdf.store.graphs import graph_of
from marc2rdf.store.writer import EmbeddedWriter, Event, Writer


def split_inputs(inputs: list[str], from_format: str | None) -> tuple[list[str], list[str]]:
    """(MARC inputs, RDF files): RDF by extension, or every input with ``--from rdf``."""
    if from_format == "rdf":
        return [], list(inputs)
    if from_format:
        return list(inputs), []
    marc = [p for p in inputs if rdf.rdf_format(p) is None]
    return marc, [p for p in inputs if rdf.rdf_format(p) is not None]


def open_writer(args, base: str) -> Writer:
    """The target the options name: ``--store DIR`` or ``--endpoint URL``."""
    if args.batch_size is not None and args.batch_size < 1:
        raise InputError("--batch-size is a number of records, at least 1")
    if args.store:
        if args.dry_run or args.protocol or args.update_endpoint:
            raise InputError("--dry-run, --protocol and --update-endpoint are for --endpoint")
        from marc2rdf.store import open_store

        return EmbeddedWriter(open_store(args.store), base, args.batch_size or 1000)
    from marc2rdf.store.sparql_http import HttpWriter

    return HttpWriter(args.endpoint, base, args.protocol or "gsp", args.update_endpoint,
                      args.batch_size or 100, retries=args.retries, dry_run=args.dry_run)


class Load:
    """One run of ``load``: feeds the writer, turns its events into rejects and notes."""

    def __init__(self, run: Run, writer: Writer, mappers: list, graph: str | None = None):
        self.run = run
        self.writer = writer
        self.mappers = mappers
        if graph and not is_absolute_iri(graph):
            raise InputError(f"--graph {graph!r} is not an absolute IRI")
        self.graph = iri(graph) if graph else None  # the graph of RDF files' triples, instead of each file's own
        self.files = 0
        self.file_triples = 0
        self.shared = 0  # records whose id an earlier record of the run had
        self.same = 0  # ... and that were identical to it
        self.examples: list[str] = []

    def rdf_files(self, paths: list[str]) -> None:
        for path in paths:
            fmt = rdf.rdf_format(path)
            try:
                if fmt is None:
                    raise InputError(f"{path}: not an RDF file name (.nt .nq .ttl .trig .jsonld .rdf, or .gz)")
                self.file_triples += rdf.check(path, fmt)
                graph = self.graph or rdf.file_graph(path)
                for g, triples in rdf.units(path, fmt, graph, rdf.UNIT if isinstance(self.writer, EmbeddedWriter)
                                            else None):
                    self._events(self.writer.add(g, triples, path))
                self.files += 1
            except InputError as exc:
                self.run.input_failed(path, exc)

    def records(self) -> None:
        run, mappers = self.run, self.mappers
        for item in run.records():
            try:
                triples = [t for m in mappers for t in m.map(item.record)]
                graph = graph_of(mappers[0], item.record)
            except Exception as exc:  # a mapping fault costs this record, never the batch
                run.reject_later(item, f"cannot be mapped: {type(exc).__name__}: {exc}")
                continue
            run.counts.converted += 1
            self._events(self.writer.add(graph, triples, item))

    def finish(self, profiles: list[str]) -> None:
        self._events(self.writer.finish(profiles if self.run.counts.converted else []))

    def _events(self, events: list[Event]) -> None:
        for kind, item, text in events:
            if isinstance(item, str):  # a part of an RDF file
                if kind == "rejected" and item not in self.run.counts.inputs_failed:
                    self.run.input_failed(item, InputError(f"{item}: some statements cannot be written: {text}"))
            elif kind == "rejected":
                self.run.counts.converted -= 1
                self.run.reject_later(item, f"cannot be loaded: {text}")
            else:
                self.shared += 1
                self.same += kind == "same"
                if len(self.examples) < 3:
                    self.examples.append(f"{text} ({item.position})")

    def summary(self) -> str:
        w = self.writer
        text = self.run.summary("loaded")
        if self.files:
            text += f"; {self.files} RDF file{'s' if self.files > 1 else ''}, {self.file_triples:,} statements"
        text += f"; {w.triples:,} triples into {w.graphs:,} graphs"
        if isinstance(w, EmbeddedWriter):
            graphs, triples = w.totals()
            text += f"; the store holds {graphs:,} graphs, {triples:,} triples"
        elif w.dry_run:
            text += f"; dry run: {w.requests:,} requests not sent"
        else:
            text += f"; {w.requests:,} requests to {w.endpoint}"
            if not w.described:
                text += " (dataset description not written: it needs --update-endpoint)"
        if self.shared:
            n = self.shared
            text += (f"\n{n:,} record{'s share their' if n > 1 else ' shares its'} id with an earlier record of this "
                     f"run ({self.same:,} identical to it); an id's graph holds the triples of all its records: "
                     + ", ".join(self.examples) + (", ..." if n > len(self.examples) else ""))
        return text
