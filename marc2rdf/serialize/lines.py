"""N-Triples and N-Quads: one line per statement, formatted with plain string operations."""

from __future__ import annotations

from marc2rdf.serialize.base import Format, Triple


class NTriples(Format):
    name = "nt"
    extension = "nt"
    media_type = "application/n-triples"
    feature = "http://www.w3.org/ns/formats/N-Triples"
    named = False

    def record(self, triples: list[Triple], graph: str | None = None, focus: str | None = None) -> bytes:
        if not isinstance(triples, list):
            triples = list(triples)
        if not triples:
            return b""
        # "s p o .\n" per triple, the lines made by joins rather than a format per triple
        return (" .\n".join(map(" ".join, triples)) + " .\n").encode("utf-8")


class NQuads(Format):
    """Each record in its own named graph (``graph``); without one, in the default graph."""

    name = "nq"
    extension = "nq"
    media_type = "application/n-quads"
    feature = "http://www.w3.org/ns/formats/N-Quads"

    def record(self, triples: list[Triple], graph: str | None = None, focus: str | None = None) -> bytes:
        end = f" {graph} .\n" if graph else " .\n"
        return "".join([f"{s} {p} {o}{end}" for s, p, o in triples]).encode("utf-8")
