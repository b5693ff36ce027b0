"""RDF sinks: each takes a record's triples (N-Triples term strings) and writes them out."""

from __future__ import annotations

from typing import BinaryIO

from marc2rdf.readers.base import InputError
from marc2rdf.serialize.sinks import NTriplesSink, Sink, TurtleSink

SINKS: dict[str, type[Sink]] = {"nt": NTriplesSink, "turtle": TurtleSink}
ALIASES = {"ntriples": "nt", "n-triples": "nt", "ttl": "turtle"}


def open_sink(name: str, out: BinaryIO, prefixes: dict[str, str]) -> Sink:
    key = ALIASES.get(name.lower(), name.lower())
    if key not in SINKS:
        raise InputError(f"unknown RDF format {name!r}; known: {', '.join(SINKS)}")
    return SINKS[key](out, prefixes)


__all__ = ["SINKS", "Sink", "open_sink"]
