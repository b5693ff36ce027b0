"""Streaming sinks: nothing is held beyond the records being written.

A sink writes records already formatted by a :class:`~marc2rdf.serialize.base.Format` (bytes
made wherever the record was mapped: one at a time, or many at once as :class:`Records`), or
formats triples itself (:meth:`Sink.write`).
"""

from __future__ import annotations

import gzip
from array import array
from itertools import accumulate
from typing import BinaryIO

from marc2rdf.serialize.base import Format, Triple, vocabularies


class Records:
    """Many records formatted elsewhere, as one piece of bytes, so that a process converting them
    sends one object and a sink writes them with one call. Each record with bytes is preceded by
    the format's separator (a sink drops the first one of a stream); ``ends[i]`` is where record
    ``i`` ends in ``data``, ``triples[i]`` its number of triples."""

    __slots__ = ("data", "ends", "triples", "separator")

    def __init__(self, separator: bytes):
        self.separator = separator
        self.data = b""
        self.ends = array("Q")
        self.triples = array("Q")

    def __len__(self) -> int:
        return len(self.ends)

    def __getstate__(self):
        return self.separator, self.data, self.ends, self.triples

    def __setstate__(self, state) -> None:
        self.separator, self.data, self.ends, self.triples = state

    @classmethod
    def joined(cls, separator: bytes, records: list[bytes], triples: list[int]) -> Records:
        """Records from the bytes of each one and its number of triples."""
        block = cls(separator)
        pieces = [separator + r if r else r for r in records] if separator else records
        block.ends.extend(accumulate(map(len, pieces)))
        block.triples.extend(triples)
        block.data = b"".join(pieces)
        return block

    def span(self, start: int, stop: int) -> memoryview:
        """The bytes of records ``start`` to ``stop - 1``, each preceded by the separator."""
        if start >= stop:
            return memoryview(b"")
        return memoryview(self.data)[self.ends[start - 1] if start else 0 : self.ends[stop - 1]]

    def record(self, i: int) -> bytes:
        """Record ``i``'s own bytes, without the separator."""
        data = self.span(i, i + 1)
        return bytes(data[len(self.separator) :] if data else data)


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

    def write_records(self, records: Records, start: int = 0, stop: int | None = None) -> None:
        """Write records ``start`` to ``stop - 1`` of ``records`` (all by default), at once."""
        stop = len(records) if stop is None else stop
        self.begin()
        data = records.span(start, stop)
        if data:
            skip = 0 if self._separate else len(self.fmt.separator)
            self.out.write(data[skip:] if skip else data)
            self._separate = bool(self.fmt.separator)
        self.records += stop - start
        self.triples += sum(records.triples[start:stop])

    def end(self, **metadata) -> None:
        self.begin()
        self.out.write(self.fmt.footer())
        if self.out is not self.raw:
            self.out.close()  # the gzip trailer; the stream itself is the caller's
