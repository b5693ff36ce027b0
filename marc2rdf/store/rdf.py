"""RDF files loaded as they are: the syntax from the extension (``.gz`` read as such).

Triples land in the file's own graph (its ``file:`` IRI, or the one asked for), quads keep
their graph. A file is checked to its end before anything of it is written, so a syntax error
costs the file, whole, with its line and column.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from marc2rdf.mapping.terms import iri
from marc2rdf.readers.base import InputError

EXTENSIONS = {
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".ttl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
}
UNIT = 50_000  # triples a unit, for a graph too long to be held at once


def rdf_format(path: str) -> ox.RdfFormat | None:
    """The RDF syntax of a file from its extension, or None."""
    name = path[:-3] if path.endswith(".gz") else path
    return EXTENSIONS.get(Path(name).suffix.lower())


def file_graph(path: str) -> str:
    """The graph of a file's triples: its ``file:`` IRI."""
    return iri(Path(path).resolve().as_uri())


def _open(path: str) -> BinaryIO:
    try:
        return gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from exc


def _quads(path: str, fmt: ox.RdfFormat, fh: BinaryIO) -> Iterator[ox.Quad]:
    base = Path(path).resolve().as_uri()
    try:
        yield from ox.parse(fh, format=fmt, base_iri=base)
    except SyntaxError as exc:
        raise InputError(f"{path}: {exc}") from None
    except (OSError, EOFError, ValueError) as exc:  # a broken gzip stream, bad UTF-8
        raise InputError(f"{path}: cannot read: {exc}") from None


def check(path: str, fmt: ox.RdfFormat) -> int:
    """The number of statements in the file; :class:`InputError` at the first syntax error."""
    with _open(path) as fh:
        return sum(1 for _ in _quads(path, fmt, fh))


def units(path: str, fmt: ox.RdfFormat, graph: str, limit: int | None = UNIT) -> Iterator[tuple[str, list]]:
    """``(graph, triples)`` for each run of statements in one graph (at most ``limit`` triples
    each); statements of the default graph go to ``graph``. Blank node labels get a prefix of
    the file's own: two files' ``_:b0`` are two nodes."""
    prefix = "_:f" + hashlib.sha1(str(Path(path).resolve()).encode()).hexdigest()[:12]

    def term(t) -> str:
        return prefix + t.value if isinstance(t, ox.BlankNode) else str(t)

    current, triples = None, []
    with _open(path) as fh:
        for q in _quads(path, fmt, fh):
            g = graph if isinstance(q.graph_name, ox.DefaultGraph) else str(q.graph_name)
            if g != current or (limit and len(triples) >= limit):
                if triples:
                    yield current, triples
                current, triples = g, []
            triples.append((term(q.subject), str(q.predicate), term(q.object)))
    if triples:
        yield current, triples
