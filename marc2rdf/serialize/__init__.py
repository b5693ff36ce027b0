"""RDF syntaxes and sinks: a record's triples (N-Triples term strings) in, bytes out.

| name | syntax |
|---|---|
| ``nt`` | N-Triples |
| ``nq`` | N-Quads, one named graph per record |
| ``turtle`` | Turtle with the profiles' prefixes, a block per record |
| ``jsonld`` | compact JSON-LD, one tree per record in ``@graph`` |
| ``jsonld-lines`` | one compact JSON-LD document per line |
| ``xml`` | RDF/XML |

``make_format(name)`` gives the :class:`Format`; :class:`Sink` writes a stream,
:class:`DumpSink` a directory of shards with a manifest and a VoID description.
"""

from __future__ import annotations

from typing import BinaryIO

from marc2rdf.readers.base import InputError
from marc2rdf.serialize.base import Format, Unwritable, vocabularies
from marc2rdf.serialize.dumps import DumpSink
from marc2rdf.serialize.jsonld import JsonLD, JsonLines
from marc2rdf.serialize.lines import NQuads, NTriples
from marc2rdf.serialize.rdfxml import RdfXml
from marc2rdf.serialize.sinks import Sink
from marc2rdf.serialize.turtle import Turtle

FORMATS: dict[str, type[Format]] = {f.name: f for f in (NTriples, NQuads, Turtle, JsonLD, JsonLines, RdfXml)}
ALIASES = {
    "ntriples": "nt", "n-triples": "nt", "nquads": "nq", "n-quads": "nq", "ttl": "turtle",
    "json-ld": "jsonld", "jsonl": "jsonld-lines", "rdfxml": "xml", "rdf/xml": "xml", "rdf": "xml",
}


def format_name(name: str) -> str:
    key = ALIASES.get(name.lower(), name.lower())
    if key not in FORMATS:
        raise InputError(f"unknown RDF format {name!r}; known: {', '.join(FORMATS)}")
    return key


def make_format(name: str, prefixes: dict[str, str] | None = None, **options) -> Format:
    """A format by name (or alias); ``options`` go to formats that take them (JSON-LD's
    ``context_iri``)."""
    cls = FORMATS[format_name(name)]
    return cls(prefixes, **options) if issubclass(cls, JsonLD) else cls(prefixes)


def open_sink(name: str, out: BinaryIO, prefixes: dict[str, str] | None = None, **options) -> Sink:
    return Sink(out, make_format(name, prefixes, **options))


__all__ = ["FORMATS", "DumpSink", "Format", "Sink", "Unwritable", "format_name", "make_format", "open_sink",
           "vocabularies"]
