"""MARC-in-JSON: one object, an array of objects, or newline-delimited objects.

The shape is the one pymarc, ruby-marc, marc4j and Catmandu share::

    {"leader": "...", "fields": [{"001": "data"},
                                 {"245": {"ind1": "1", "ind2": "0", "subfields": [{"a": "..."}]}}]}

Newline-delimited input is streamed line by line. An array or a pretty-printed object is read
whole, then split into records one by one, so one bad record costs only itself.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from typing import BinaryIO

from pymarc import Record, Subfield

from marc2rdf.readers.base import (
    Item,
    Position,
    Read,
    Reject,
    new_field,
    new_record,
)

_decoder = json.JSONDecoder()
_WS = " \t\r\n"


def read_marcjson(stream: BinaryIO, name: str) -> Iterator[Item]:
    first = stream.readline()
    stripped = first.strip()
    obj = _complete_object(stripped) if stripped.startswith(b"{") else None
    if obj is not None:
        yield from _read_lines(first, stream, name, obj if _parses_alike(first, stripped) else None)
    else:
        yield from _read_document(first + stream.read(), name)


def _complete_object(line: bytes) -> dict | None:
    try:
        obj = json.loads(line)
    except ValueError:
        return None
    return obj if isinstance(obj, dict) else None


def _parses_alike(line: bytes, stripped: bytes) -> bool:
    """Whether ``json.loads(line)`` gives what ``json.loads(stripped)`` gave (so the first line
    need not be parsed twice): no blank before the object, nothing after it JSON would not skip,
    both read as UTF-8."""
    return (
        line[:1] == b"{"
        and not line[len(stripped):].strip(b" \t\r\n")
        and json.detect_encoding(line) == json.detect_encoding(stripped) == "utf-8"
    )


def _read_lines(first: bytes, stream: BinaryIO, name: str, parsed: dict | None = None) -> Iterator[Item]:
    """One record a line; ``parsed``, when given, is the first line already parsed."""
    ordinal = 0
    offset = 0
    lineno = 0
    line = first
    while line:
        lineno += 1
        if line.strip():
            ordinal += 1
            position = Position(name, ordinal, offset=offset, line=lineno)
            if parsed is not None:
                yield _record_item(parsed, position, line)
                parsed = None
            else:
                yield _item(line, position)
        offset += len(line)
        line = stream.readline()


def _item(raw: bytes, position: Position) -> Item:
    try:
        obj = json.loads(raw)
    except UnicodeDecodeError as exc:
        return Reject(position, raw, f"not UTF-8: {exc.reason} at byte {exc.start}")
    except ValueError as exc:
        return Reject(position, raw, f"invalid JSON: {exc}")
    return _record_item(obj, position, raw)


def _record_item(obj, position: Position, raw: bytes) -> Item:
    repairs: list[str] = []
    try:
        record = from_dict(obj, repairs)
    except (ValueError, TypeError, AttributeError) as exc:
        cn = _control_number(obj)
        return Reject(position, raw, f"not a MARC-in-JSON record: {exc}", cn)
    return Read(record, position, raw, tuple(repairs))


def _read_document(data: bytes, name: str) -> Iterator[Item]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield Reject(Position(name, 1, offset=exc.start), data, f"not UTF-8: {exc.reason}")
        return
    pos = _skip(text, 0)
    in_array = text.startswith("[", pos)
    if in_array:
        pos = _skip(text, pos + 1)
    ordinal = 0
    counted = (0, 0, 1)  # a character position, its byte offset and line, to count on from
    while pos < len(text):
        if in_array and text[pos] == "]":
            pos = _skip(text, pos + 1)
            if pos < len(text):
                yield _trailing(text, pos, ordinal + 1, name)
            return
        ordinal += 1
        counted = _count_on(text, counted, pos)
        position = Position(name, ordinal, offset=counted[1], line=counted[2])
        try:
            obj, end = _decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            rest = text[pos:].encode("utf-8")
            yield Reject(
                position,
                rest,
                f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg};"
                " nothing after this point can be read",
            )
            return
        yield _record_item(obj, position, text[pos:end].encode("utf-8"))
        pos = _skip(text, end)
        if in_array and pos < len(text) and text[pos] == ",":
            pos = _skip(text, pos + 1)
    if in_array:
        yield Reject(Position(name, ordinal + 1, offset=len(data)), b"", "JSON array is not closed")


def _trailing(text: str, pos: int, ordinal: int, name: str) -> Reject:
    position = Position(name, ordinal, offset=_byte_offset(text, pos), line=text.count("\n", 0, pos) + 1)
    return Reject(position, text[pos:].encode("utf-8"), "unexpected data after the JSON array")


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WS:
        pos += 1
    return pos


def _count_on(text: str, counted: tuple[int, int, int], pos: int) -> tuple[int, int, int]:
    """``(pos, byte offset, line)``, counted on from an earlier ``(position, byte offset, line)``
    rather than from the start of the document, which made reading quadratic in its size."""
    start, offset, line = counted
    chunk = text[start:pos]
    size = len(chunk) if chunk.isascii() else len(chunk.encode("utf-8"))
    return pos, offset + size, line + chunk.count("\n")


def _byte_offset(text: str, pos: int) -> int:
    prefix = text[:pos]
    return pos if prefix.isascii() else len(prefix.encode("utf-8"))


def _control_number(obj) -> str | None:
    try:
        for field in obj.get("fields", []):
            if isinstance(field, dict) and isinstance(field.get("001"), str):
                return field["001"].strip() or None
    except AttributeError:
        pass
    return None


def from_dict(obj: dict, repairs: list[str]) -> Record:
    if not isinstance(obj, dict):
        raise ValueError(f"expected an object, found {type(obj).__name__}")
    leader = obj.get("leader")
    if not isinstance(leader, str):
        raise ValueError("no leader")
    if len(leader) != 24:
        repairs.append(f"leader of {len(leader)} characters fixed to 24")
        leader = (leader + " " * 24)[:24]
    record = new_record(leader[:9] + "a" + leader[10:])
    fields = obj.get("fields")
    if not isinstance(fields, list):
        raise ValueError("'fields' is not a list")
    built: list = []
    append = built.append
    for n, entry in enumerate(fields, 1):
        if not isinstance(entry, dict) or len(entry) != 1:
            raise ValueError(f"field {n} is not an object with one tag")
        ((tag, value),) = entry.items()
        if isinstance(value, str):
            if not value.isascii():
                value = _normalize("NFC", value)
            append(new_field(tag, data=value))
            continue
        if not isinstance(value, dict):
            raise ValueError(f"field {n} ({tag}) is neither a string nor an object")
        subfields = []
        for sf in value.get("subfields", []):
            if not isinstance(sf, dict) or len(sf) != 1:
                raise ValueError(f"field {n} ({tag}): a subfield is not an object with one code")
            ((code, text),) = sf.items()
            if not isinstance(text, str):
                raise ValueError(f"field {n} ({tag}): subfield {code} is not a string")
            if not text.isascii():
                text = _normalize("NFC", text)
            subfields.append(_tuple_new(Subfield, (code, text)))
        ind1 = str(value.get("ind1") or " ")[:1]
        ind2 = str(value.get("ind2") or " ")[:1]
        append(new_field(tag, ind1, ind2, subfields))
    record.fields = built
    return record


_tuple_new = tuple.__new__
_normalize = unicodedata.normalize


def write_marcjson(record: Record) -> bytes:
    """One MARC-in-JSON object on one line."""
    return json.dumps(record.as_dict(), ensure_ascii=False).encode("utf-8") + b"\n"
