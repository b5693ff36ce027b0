"""Streaming sinks: nothing is held beyond the record being written."""

from __future__ import annotations

from typing import BinaryIO, Iterable

Triple = tuple[str, str, str]


class Sink:
    def __init__(self, out: BinaryIO, prefixes: dict[str, str]):
        self.out = out
        self.prefixes = prefixes
        self.triples = 0

    def begin(self) -> None:
        pass

    def write(self, triples: Iterable[Triple]) -> None:
        raise NotImplementedError

    def end(self) -> None:
        pass


class NTriplesSink(Sink):
    """N-Triples lines, formatted with plain string operations."""

    def write(self, triples: Iterable[Triple]) -> None:
        lines = [f"{s} {p} {o} .\n" for s, p, o in triples]
        self.triples += len(lines)
        self.out.write("".join(lines).encode("utf-8"))


class TurtleSink(Sink):
    """Turtle with the profiles' prefixes declared once, one block of statements per record."""

    def begin(self) -> None:
        head = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in self.prefixes.items())
        self.out.write((head + "\n").encode("utf-8"))

    def write(self, triples: Iterable[Triple]) -> None:
        from rdflib import Graph

        triples = list(triples)
        self.triples += len(triples)
        g = Graph()
        for p, ns in self.prefixes.items():
            g.bind(p, ns, override=True, replace=True)
        g.parse(data="".join(f"{s} {p} {o} .\n" for s, p, o in triples), format="nt")
        text = g.serialize(format="turtle")
        body = "\n".join(line for line in text.splitlines() if not line.startswith("@prefix"))
        self.out.write((body.strip("\n") + "\n\n").encode("utf-8"))
