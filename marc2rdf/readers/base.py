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

from pymarc import Field, Indicators, Leader, Record, Subfield

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


def _slow_record(leader: str) -> Record:
    record = Record()
    record.leader = Leader(leader)
    return record


def _fast_record(leader: str) -> Record:
    record = _object_new(Record)
    record.leader = Leader(leader)
    record.fields = []
    record.pos = 0
    record._Record__pos = 0
    record.force_utf8 = False
    record.to_unicode = True
    return record


def _slow_data_field(tag: str, indicators: Indicators, subfields: list[Subfield]) -> Field:
    return Field(tag, indicators, subfields)


def _slow_control_field(tag: str, data: str) -> Field:
    return Field(tag, data=data)


def _fast_data_field(tag: str, indicators: Indicators, subfields: list[Subfield]) -> Field:
    field = _object_new(Field)
    field.tag = tag
    field.data = None
    field._indicators = indicators
    field.subfields = subfields
    field.control_field = False
    return field


def _fast_control_field(tag: str, data: str) -> Field:
    field = _object_new(Field)
    field.tag = tag
    field.data = data
    field._indicators = None
    field.subfields = []
    field.control_field = True
    return field


def _slots(obj) -> list:
    names = []
    for cls in type(obj).__mro__:
        for name in getattr(cls, "__slots__", ()):
            names.append(f"_{cls.__name__}{name}" if name.startswith("__") else name)
    values = [getattr(obj, name, _UNSET) for name in names]
    # a Leader has no equality of its own: its class and text are compared
    return [(name, (type(v), str(v)) if isinstance(v, Leader) else v) for name, v in zip(names, values)]


_UNSET = object()
_object_new = object.__new__
_tuple_new = tuple.__new__


def _constructors():
    """Records and fields are made without going through pymarc's ``__init__`` (most of the
    time a reader spends on a small field), setting the attributes it sets, as long as that
    gives objects identical to what the constructors give; otherwise (another pymarc) the
    constructors are used."""
    try:
        for fast, slow, args in (
            (_fast_record, _slow_record, ("01234cam a2200289 a 4500",)),
            (_fast_data_field, _slow_data_field, ("245", Indicators("1", "0"), [Subfield("a", "x")])),
            (_fast_control_field, _slow_control_field, ("001", "x")),
        ):
            a, b = fast(*args), slow(*args)
            if type(a) is not type(b) or _slots(a) != _slots(b):
                raise ValueError
            if isinstance(a, Record):
                if a.as_dict() != b.as_dict():
                    raise ValueError
            elif str(a) != str(b) or a.indicators != b.indicators:
                raise ValueError
    except Exception:
        return _slow_record, _slow_data_field, _slow_control_field
    return _fast_record, _fast_data_field, _fast_control_field


new_record, data_field, control_field = _constructors()
new_record.__doc__ = (
    "A pymarc Record with exactly this leader (``Record(leader=...)`` rewrites 10-11 and 20-23)."
)
# data_field(tag, indicators, subfields) and control_field(tag, data) make what ``Field(...)``
# makes of a three-character tag that is not, respectively is, a control tag
# (``tag < "010" and tag.isdigit()``, pymarc's test): readers call them for such tags.


def new_field(tag: str, ind1: str = " ", ind2: str = " ", subfields=None, data=None) -> Field:
    """A pymarc Field, control or data, built the one way every reader builds it."""
    # a three-character tag is made a field here as Field(...) below would make it
    plain = type(tag) is str and len(tag) == 3
    if data is not None:
        if plain:
            if tag < "010" and tag.isdigit():
                return control_field(tag, data)
            return data_field(tag, _tuple_new(Indicators, (" ", " ")), [])
        return Field(tag=tag, data=data)
    # a list is kept as given, as Field() keeps it
    subfields = subfields if type(subfields) is list else list(subfields or [])
    if plain and not (subfields and isinstance(subfields[0], str)):  # Field() refuses those
        if tag < "010" and tag.isdigit():
            return control_field(tag, None)
        return data_field(tag, _tuple_new(Indicators, (ind1 or " ", ind2 or " ")), subfields)
    return Field(tag=tag, indicators=Indicators(ind1 or " ", ind2 or " "), subfields=subfields)
