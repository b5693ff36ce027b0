"""Every MARC serialization, read and written, behind one registry.

``read(source)`` detects the serialization from the content (never the file name), accepts a
path, ``-`` for stdin, bytes or a binary stream, gzip or not, and yields :class:`Read` /
:class:`Reject` items (see :mod:`marc2rdf.readers.base` for the contract).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO, NamedTuple

from pymarc import Record

from marc2rdf.readers.base import InputError, Item, Read, Reject
from marc2rdf.readers.source import Source, open_source

__all__ = ["FORMATS", "Format", "detect", "read", "read_records", "write_records", "RecordError"]


class Format(NamedTuple):
    """A serialization: where its reader and writer live, and what wraps a written stream."""

    name: str
    doc: str
    reader: str  # "module:function", imported on first use
    writer: str | None  # "module:function" returning bytes or str for one record
    header: bytes = b""
    footer: bytes = b""

    def load_reader(self) -> Callable[[BinaryIO, str], Iterator[Item]]:
        return _load(self.reader)

    def load_writer(self) -> Callable[[Record], bytes]:
        if self.writer is None:
            raise InputError(f"no writer for {self.name}")
        fn = _load(self.writer)

        def write(record: Record) -> bytes:
            out = fn(record)
            return out.encode("utf-8") if isinstance(out, str) else out

        return write


def _load(spec: str):
    module, _, attr = spec.partition(":")
    # a module already imported is taken from sys.modules, without the import machinery's
    # lookups (which also wait for a module another thread is still importing)
    loaded = sys.modules.get(module)
    if loaded is None or getattr(getattr(loaded, "__spec__", None), "_initializing", False):
        loaded = importlib.import_module(module)
    return getattr(loaded, attr)


_R = "marc2rdf.readers."
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("iso2709", "ISO 2709 / MARC 21 binary (UTF-8 or MARC-8 in; UTF-8 out)",
               _R + "iso2709:read_iso2709", _R + "iso2709:write_iso2709"),
        Format("marcxml", "MARCXML: record, collection, SRU or OAI-PMH responses",
               _R + "marcxml:read_marcxml", _R + "marcxml:write_marcxml",
               header=b'<?xml version="1.0" encoding="UTF-8"?>\n'
                      b'<collection xmlns="http://www.loc.gov/MARC21/slim">\n',
               footer=b"</collection>\n"),
        Format("marcjson", "MARC-in-JSON: an object, an array, or one object per line (written so)",
               _R + "marcjson:read_marcjson", _R + "marcjson:write_marcjson"),
        Format("mrk", "MarcEdit mnemonic (.mrk)", _R + "mrk:read_mrk", _R + "mrk:write_mrk"),
        Format("text", "plain-text dumps: MARC::Record as_formatted(), Koha-style, yaz-marcdump lines",
               _R + "text:read_text", _R + "text:write_formatted"),
    )
}
ALIASES = {"marc": "iso2709", "mrc": "iso2709", "xml": "marcxml", "json": "marcjson", "ndjson": "marcjson",
           "formatted": "text", "yaz": "text"}


def format_named(name: str) -> Format:
    key = ALIASES.get(name.lower(), name.lower())
    if key not in FORMATS:
        raise InputError(f"unknown MARC serialization {name!r}; known: {', '.join(FORMATS)}")
    return FORMATS[key]


def detect(head: bytes) -> str | None:
    """The serialization of an input from its first bytes, or None."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text:
        return None
    if text[:1] == b"<":
        return "marcxml"
    if text[:1] in (b"{", b"["):
        return "marcjson"
    if b"\x1d" in head or b"\x1e" in head:
        return "iso2709"
    if text.startswith(b"=LDR"):
        return "mrk"
    from marc2rdf.readers.text import sniff_text

    variant = sniff_text(text)
    if variant == "mrk":
        return "mrk"
    if variant:
        return "text"
    return None


def _items(src: Source, fmt: str | None) -> Iterator[Item]:
    if fmt is None:
        fmt = detect(src.head)
        if fmt is None:
            if not src.head.strip():
                return  # an empty input holds no records
            raise InputError(f"{src.name}: cannot tell which MARC serialization this is; name it with --from")
    yield from format_named(fmt).load_reader()(src.stream, src.name)


def read(source, format: str | None = None, name: str | None = None) -> Iterator[Item]:
    """Every record of one input, as :class:`Read` or :class:`Reject`, in order."""
    with open_source(source, name) as src:
        yield from _items(src, format)


class RecordError(Exception):
    """A record could not be read (raised by :func:`read_records` in strict mode)."""

    def __init__(self, reject: Reject):
        super().__init__(reject.message())
        self.reject = reject


def read_records(source, format: str | None = None, strict: bool = True) -> Iterator[Record]:
    """Just the records. A bad record raises :class:`RecordError` unless ``strict=False``, where
    it is skipped (use :func:`read` to see and keep what was skipped)."""
    for item in read(source, format):
        if isinstance(item, Read):
            yield item.record
        elif strict:
            raise RecordError(item)


def write_records(records: Iterable[Record], out: BinaryIO, format: str = "marcjson") -> int:
    """Write records to a binary stream in one serialization; returns how many were written."""
    fmt = format_named(format)
    write = fmt.load_writer()
    out.write(fmt.header)
    n = 0
    for record in records:
        out.write(write(record))
        n += 1
    out.write(fmt.footer)
    return n
