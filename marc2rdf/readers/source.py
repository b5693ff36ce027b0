"""Opening inputs: paths, ``-`` for stdin, gzip by content; a peek at the head for detection."""

from __future__ import annotations

import gzip
import io
import os
import stat
import sys
from typing import BinaryIO

from marc2rdf.readers.base import InputError

HEAD_SIZE = 65536


class _Prefixed(io.RawIOBase):
    """A raw stream that serves ``head`` first, then the rest of ``rest``."""

    def __init__(self, head: bytes, rest: BinaryIO):
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        readinto = getattr(self._rest, "readinto", None)
        if readinto is not None:  # straight into the buffer: no bytes object of its size made
            return readinto(buffer)
        data = self._rest.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        return n

    def close(self) -> None:
        try:
            self._rest.close()
        finally:
            super().close()


class Source:
    """One input, opened: ``name`` for messages, ``head`` (the first bytes, decompressed) for
    detection, ``stream`` to read everything from the start."""

    def __init__(self, name: str, raw: BinaryIO):
        self.name = name
        self._under = raw
        whole = _reads_whole(raw)
        head = raw.read(2)
        if head[:2] == b"\x1f\x8b":
            raw = gzip.GzipFile(fileobj=prepended(head, raw), mode="rb")  # type: ignore[arg-type]
            head = b""
        try:
            head += raw.read(HEAD_SIZE - len(head))
        except (OSError, EOFError) as exc:
            raise InputError(f"{name}: cannot read: {exc}") from exc
        self.head = head
        if whole and len(head) < HEAD_SIZE:
            # the whole input is in the head: it is read from there, and no stream is stacked
            # on the file (whose buffers cost more than reading a small file)
            self.stream: BinaryIO = io.BytesIO(head)
            self._rest: BinaryIO | None = raw
        else:
            self.stream = prepended(head, raw, 1 << 16)
            self._rest = None

    def close(self) -> None:
        try:
            self.stream.close()
        finally:
            if self._rest is not None:
                try:
                    self._rest.close()
                finally:
                    if self._rest is not self._under:
                        self._under.close()

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _reads_whole(raw) -> bool:
    """Whether a read of ``n`` bytes from ``raw`` (or from the gzip stream over it) gives fewer
    only at the end of the input: bytes in memory, or a regular file through a buffered reader
    (a terminal or a non-blocking pipe may give fewer before the end)."""
    if type(raw) is io.BytesIO:
        return True
    if type(raw) is not io.BufferedReader:
        return False
    try:
        return stat.S_ISREG(os.fstat(raw.fileno()).st_mode)
    except (OSError, ValueError, io.UnsupportedOperation):
        return False


def prepended(head: bytes, rest: BinaryIO, buffer_size: int = io.DEFAULT_BUFFER_SIZE) -> BinaryIO:
    """A buffered stream of ``head``, then the rest of ``rest`` (closing it closes ``rest``): for
    bytes already taken from a stream to be read again."""
    return io.BufferedReader(_Prefixed(head, rest), buffer_size=buffer_size)  # type: ignore[return-value]


def open_source(source, name: str | None = None) -> Source:
    """``source`` is a path, ``"-"`` (stdin), bytes, or a binary file object."""
    if isinstance(source, (bytes, bytearray)):
        return Source(name or "<bytes>", io.BytesIO(bytes(source)))
    if hasattr(source, "read"):
        return Source(name or getattr(source, "name", "<stream>"), source)
    path = str(source)
    if path == "-":
        return Source(name or "<stdin>", sys.stdin.buffer)
    try:
        fh = open(path, "rb")  # noqa: SIM115 - the Source owns and closes it
    except OSError as exc:
        raise InputError(f"{path}: cannot open: {exc.strerror or exc}") from exc
    return Source(name or path, fh)
