"""The reader contract shared by every MARC serialization.

A reader is a generator over one input (a file, stdin, a byte string). It yields, in input order,
one item per record it met:

* :class:`Read` — a ``pymarc.Record`` decoded to Unicode NFC, with its :class:`Position`, the raw
  bytes it came from, and the repairs made on the way (a fixed leader, a guessed indicator, a
  leader/09 that lied about the encoding...);
* :class:`Reject` — a record that could not be read, with its position, its raw bytes (so nothing
  is lost: they go to the reject file), the reason, and its control number when it was readable.

Readers never raise for bad record data. They raise :class:`InputError` only when the input as a
whole cannot be read (missing file, not a MARC serialization at all).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import NamedTuple

from pymarc import Field, Leader, Record

__all__ = [
    "Position",
    "Read",
    "Reject",
    "Item",
    "InputError",
    "nfc",
    "control_number",
]


class Position(NamedTuple):
    """Where a record starts in its input. ``offset`` is a byte offset, ``line`` a 1-based line;
    a serialization fills the one that means something for it (or both)."""

    file: str
    ordinal: int  # 1-based number of the record in the file
    offset: int | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = [f"record {self.ordinal}"]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.offset is not None:
            where.append(f"byte {self.offset}")
        return f"{self.file}: " + ", ".join(where)


class Read(NamedTuple):
    record: Record
    position: Position
    raw: bytes
    repairs: tuple[str, ...] = ()


class Reject(NamedTuple):
    position: Position
    raw: bytes
    reason: str
    control_number: str | None = None

    def message(self) -> str:
        cn = f" (001 {self.control_number})" if self.control_number else ""
        return f"{self.position}{cn}: {self.reason}"


Item = Read | Reject
Items = Iterator[Item]


class InputError(Exception):
    """The input as a whole cannot be read: exit status 2, no traceback."""


def nfc(text: str) -> str:
    """Unicode NFC, cheaply: pure ASCII is already normalized."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", text)


def control_number(record: Record) -> str | None:
    for field in record.get_fields("001"):
        if field.data and field.data.strip():
            return field.data.strip()
    return None


def normalize_record(record: Record) -> Record:
    """NFC every value of a record in place (readers whose source may be decomposed call this)."""
    for field in record.fields:
        if field.is_control_field():
            field.data = nfc(field.data or "")
        else:
            field.subfields = [
                type(sf)(sf.code, nfc(sf.value)) for sf in field.subfields
            ]
    return record


def new_record(leader: str) -> Record:
    """A pymarc Record with exactly this leader (``Record(leader=...)`` rewrites 10-11 and 20-23)."""
    record = Record()
    record.leader = Leader(leader)
    return record


def new_field(tag: str, ind1: str = " ", ind2: str = " ", subfields=None, data=None) -> Field:
    """A pymarc Field, control or data, built the one way every reader builds it."""
    from pymarc import Indicators

    if data is not None:
        return Field(tag=tag, data=data)
    return Field(tag=tag, indicators=Indicators(ind1 or " ", ind2 or " "), subfields=list(subfields or []))
