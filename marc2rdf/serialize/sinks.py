"""Streaming sinks: nothing is held beyond the record being written.

A sink writes records already formatted by a :class:`~marc2rdf.serialize.base.Format` (bytes
made wherever the record was mapped), or formats triples itself (:meth:`Sink.write`).
"""

from __future__ import annotations

import gzip
from typing import BinaryIO

from marc2rdf.serialize.base import Format, Triple, vocabularies


class Sink:
    """One stream: the format's header, the records with its separator, its footer."""

    def __init__(self, out: BinaryIO, fmt: Format, compress: bool = False):
        self.fmt = fmt
        self.raw = out
        self.out: BinaryIO = gzip.GzipFile(fileobj=out, mode="wb", mtime=0, filename="") if compress else out
        self.records = 0
        self.triples = 0
        self.vocabularies: set[str] = set()
        self._began = False
        self._separate = False  # a record was written: the next one is separated

    def begin(self) -> None:
        if not self._began:
            self._began = True
            self.out.write(self.fmt.header())

    def write(self, triples: list[Triple], graph: str | None = None, focus: str | None = None) -> None:
        """Format one record's triples and write them."""
        self.vocabularies |= vocabularies(triples)
        self.write_record(self.fmt.record(triples, graph, focus), len(triples))

    def write_record(self, data: bytes, triples: int) -> None:
        """Write one record formatted elsewhere."""
        self.begin()
        if data:  # a record with no triples may have no bytes: no separator for it either
            if self._separate:
                self.out.write(self.fmt.separator)
            self.out.write(data)
            self._separate = bool(self.fmt.separator)
        self.records += 1
        self.triples += triples

    def end(self, **metadata) -> None:
        self.begin()
        self.out.write(self.fmt.footer())
        if self.out is not self.raw:
            self.out.close()  # the gzip trailer; the stream itself is the caller's
