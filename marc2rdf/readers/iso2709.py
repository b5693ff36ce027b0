"""ISO 2709 / MARC 21 transmission format: a lenient streaming reader and a UTF-8 writer.

Reading
-------
:func:`read_iso2709` reads its input chunk by chunk (memory stays flat whatever the file size)
and splits it into records on the record terminator (0x1D). Each record is decoded on its own,
and what was wrong with it is repaired and said in ``Read.repairs``:

* **record length** (leader/00-04) that does not match the terminator: the terminator wins.
  When a terminator is missing but the leader length points exactly at the next leader, the
  leader length wins.
* **base address** (leader/12-16) that does not point just after the directory: the first field
  terminator (0x1E) after the leader ends the directory (unless the leader's base address ends
  a directory of whole entries that reads better: a directory terminator that is the wrong byte).
* **directory**: entries whose offsets and lengths land on field boundaries are used as they
  are, in directory order, like every MARC reader. When they do not (fields longer than 9,999
  bytes, lengths counted in characters, a byte lost in the directory...), the fields are
  recovered by splitting the data on field terminators and taking the tags from the directory
  in order. A directory whose length is not a multiple of 12 is read from whichever end gives
  consistent entries.
* **junk** between records (newlines, stray terminators, padding, a length typed twice...) is
  skipped and reported on the next record as ``skipped N byte(s) before the record: ...``, or on
  the last record as ``skipped N byte(s) after the record: ...``. A sizable chunk with no usable
  leader becomes a :class:`Reject` carrying those bytes. Every byte of the input is accounted
  for: the ``raw`` of every item plus the skipped counts add up to the input size.
* **character coding**: leader/09 ``a`` says UTF-8 and blank says MARC-8, but records lie both
  ways. A record marked UTF-8 that is not valid UTF-8 and looks like MARC-8 (combining
  diacritics before a base letter, MARC-8 escape sequences) is read as MARC-8; a record marked
  MARC-8 whose non-ASCII bytes are UTF-8 sequences is read as UTF-8; either way a repair says
  so. Bytes that fit neither become U+FFFD, with a repair naming the field.
* **fields**: a missing or invalid indicator becomes a blank, an empty subfield is dropped, text
  between the indicators and the first subfield delimiter is kept as ``$a``, a non-ASCII
  subfield code is folded to ASCII, a field whose tag holds control characters is dropped; each
  with a repair. Alphanumeric tags (``FMT``, ``SYS``...) are kept, as pymarc keeps them.
  In MARC-8 records, control characters in data fields are dropped (as pymarc does), and
  control fields (001-009) are taken byte for byte, a non-ASCII byte becoming U+FFFD, so that
  the character positions of 006/007/008 stay right.

Values come out as Unicode NFC and the record's leader/09 is ``a``; leader/00-04 and 12-16
describe the raw record (the writer recomputes them); the other positions are kept as they are.

A record is rejected (:class:`Reject`, raw bytes kept) when it is shorter than a leader, has no
directory, or has no field that can be read; its 001 is looked for even then.

MARC-8
------
pymarc's ``MARC8ToUnicode`` translates byte by byte in Python. Here a value of plain ASCII is
taken as it is, a value in ASCII + ANSEL (the default G0/G1 sets: Latin letters with
diacritics) is translated with one split on combining marks (they move after their base
letter), one table lookup in C and NFC, and values with escape sequences (Hebrew, Cyrillic,
Arabic, Greek, CJK...) go through :mod:`marc2rdf.readers.marc8`, which decodes each run of
characters between two escapes at once and gives what ``MARC8ToUnicode`` gives from its
initial state.

Writing
-------
:func:`write_iso2709` writes one record as UTF-8 ISO 2709 (leader/09 ``a``), with lengths and
directory computed from the data.
"""

from __future__ import annotations

import codecs
import io
import re
import struct
import sys
import unicodedata
from collections.abc import Iterator
from itertools import accumulate, chain
from typing import BinaryIO

from pymarc import Field, Indicators, Record, Subfield, marc8_mapping

from marc2rdf.readers import marc8
from marc2rdf.readers.base import InputError, Item, Position, Read, Reject, new_record
from marc2rdf.readers.base import control_field as _control_field
from marc2rdf.readers.base import data_field as _data_field

__all__ = ["read_iso2709", "write_iso2709"]

RECORD_TERMINATOR = b"\x1d"
FIELD_TERMINATOR = b"\x1e"
SUBFIELD_DELIMITER = b"\x1f"

CHUNK_SIZE = 1 << 20  # bytes read from the input at a time
MAX_SEGMENT = 8 << 20  # no record terminator within this many bytes: cut there
_WHITESPACE = b" \t\r\n\x00\x1a\x1d"  # what padding between records is made of

_UTF8, _MARC8 = "utf-8", "marc-8"

# -- MARC-8 tables, derived from pymarc's own ------------------------------------------------------

_BASIC_LATIN = marc8_mapping.CODESETS[0x42]
_ANSEL = marc8_mapping.CODESETS[0x45]
_COMBINING = bytes(sorted(b for b in range(0xA1, 0xFF) if b in _ANSEL and _ANSEL[b][1]))
_SPACING = bytes(sorted(b for b in range(0xA1, 0xFF) if b in _ANSEL and not _ANSEL[b][1]))
# MARC-8 formatting characters (non-sort begin/end, joiners): pymarc drops them, so do we
_FORMATTING = bytes([0x88, 0x89, 0x8D, 0x8E])
_C0 = bytes(b for b in range(0x20) if b != 0x1B)
_INVALID = bytes(
    b for b in range(0x7F, 0x100) if b not in _COMBINING and b not in _SPACING and b not in _FORMATTING
)


def _class(chars: bytes) -> bytes:
    return b"".join(b"\\x%02x" % b for b in chars)


_M8_PRINTABLE = b"\\x20-\\x7e" + _class(_SPACING)
# a byte that is not printable ASCII, an ANSEL spacing character or an ANSEL combining mark
_M8_IRREGULAR = re.compile(b"[^%s%s]" % (_M8_PRINTABLE, _class(_COMBINING)))
_COMBINING_SET = frozenset(_COMBINING)
_M8_COMBINING_RUN = re.compile(b"([%s]+)" % _class(_COMBINING))
_M8_TRAILING_COMBINING = re.compile(b"[%s]+\\Z" % _class(_COMBINING))
_M8_INVALID = re.compile(b"[%s]" % _class(_INVALID))
_M8_C0 = re.compile(b"[%s]" % _class(_C0))
_TO_PLACEHOLDER = bytes.maketrans(_INVALID, b"\x80" * len(_INVALID))


def _reorder(value: bytes) -> bytes:
    """MARC-8 puts combining marks before their base character, Unicode after: move each run
    of marks after the character that follows it (there is one: callers made sure)."""
    pieces = _M8_COMBINING_RUN.split(value)
    if len(pieces) == 1:
        return value
    out = [pieces[0]]
    for i in range(1, len(pieces), 2):
        following = pieces[i + 1]
        out += (following[:1], pieces[i], following[1:])
    return b"".join(out)


def _ansel_table() -> str:
    table = ["\ufffd"] * 256
    for b in range(0x20, 0x7F):
        table[b] = chr(_BASIC_LATIN[b][0])
    for b in _COMBINING + _SPACING:
        table[b] = chr(_ANSEL[b][0])
    return "".join(table)


_ANSEL_TABLE = _ansel_table()  # 0x80 (the placeholder for invalid bytes) maps to U+FFFD
# the same for a whole data field: the subfield delimiter kept
_ANSEL_FIELD_TABLE = _ANSEL_TABLE[:0x1F] + "\x1f" + _ANSEL_TABLE[0x20:]
# a data field of ASCII + ANSEL that reads as its subfields read one by one: printable ASCII
# indicators, printable ASCII subfield codes, no empty subfield, every combining mark followed by
# its base character in the same value (a value: printable characters, then runs of marks each
# followed by printable characters; possessive, as nothing is ever given back, so the engine
# steps through a run of printable characters at once instead of one alternative a character)
_M8_PLAIN_FIELD = re.compile(
    rb"[\x20-\x7e]{2}(?:\x1f[\x20-\x7e][%s]*+(?:[%s]++[%s]++)*+)++"
    % (_M8_PRINTABLE, _class(_COMBINING), _M8_PRINTABLE)
)
_charmap_decode = codecs.charmap_decode
_normalize = unicodedata.normalize

# escape sequences MARC-8 defines: G0/G1 designations (single and multibyte) and the technique-1
# shortcuts to Greek symbols, subscripts, superscripts and back to ASCII
_M8_ESCAPE = rb"\x1b(?:[(,)\-]|\$[,)\-]?)[1-4BENQS]|\x1b[gbps]"
_M8_ESCAPE_RE = re.compile(_M8_ESCAPE)
_M8_EVIDENCE = re.compile(b"[%s]+[\\x20-\\x7e]|%s" % (_class(_COMBINING), _M8_ESCAPE))
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
# printable ASCII and the terminators: deleting them leaves what makes a value more than plain
_PLAIN = bytes(range(0x20, 0x7F)) + FIELD_TERMINATOR + SUBFIELD_DELIMITER
_CONTROL = re.compile(rb"[\x00-\x1d\x7f]")

# -- leaders ------------------------------------------------------------------------------------

# where a leader may start: five digits (length), seven bytes, five digits (base address)
_LEADER_START = re.compile(rb"(?=\d{5}[^\x1d\x1e\x1f]{7}\d{5})")
_LEADER_PRINTABLE = re.compile(rb"[\x20-\x7e]{24}")
_CONTROL_TAGS = frozenset(f"{n:03d}" for n in range(10))


def _consistent_leader(seg: bytes, p: int) -> bool:
    """Is there a leader at ``p`` whose length or base address agrees with the bytes after it?"""
    if len(seg) - p < 25:
        return False
    length = seg[p : p + 5]
    if length.isdigit() and int(length) == len(seg) - p and seg[-1:] == RECORD_TERMINATOR:
        return True
    base = seg[p + 12 : p + 17]
    if not base.isdigit():
        return False
    end_of_directory = seg.find(FIELD_TERMINATOR, p + 24)
    return end_of_directory > 0 and int(base) == end_of_directory - p + 1


def _find_leader(seg: bytes) -> int | None:
    """Where the record in a segment (the bytes up to a record terminator) starts, or None."""
    n = len(seg)
    if n >= 25 and ((seg[:5].isdigit() and int(seg[:5]) == n) or _consistent_leader(seg, 0)):
        return 0
    for m in _LEADER_START.finditer(seg, 1):
        if _consistent_leader(seg, m.start()):
            return m.start()
    # nothing consistent: take a leader-looking start, after padding if need be
    p = n - len(seg.lstrip(_WHITESPACE))
    if n - p >= 25 and (seg[p : p + 5].isdigit() or seg[p + 12 : p + 17].isdigit()):
        return p
    return None


def _preview(data: bytes, limit: int = 32) -> str:
    text = repr(data[:limit])
    return text + ("..." if len(data) > limit else "")


def _sniff_001(rec: bytes) -> str | None:
    """The 001 of a record that could not be read, if the directory lets us find it."""
    try:
        end = rec.find(FIELD_TERMINATOR, 24)
        if end < 0:
            return None
        base = end + 1
        directory = rec[24:end]
        value = None
        for i in range(0, len(directory) - 11, 12):
            if directory[i : i + 3] == b"001":
                length, offset = directory[i + 3 : i + 7], directory[i + 7 : i + 12]
                if length.isdigit() and offset.isdigit():
                    start = base + int(offset)
                    value = rec[start : start + int(length) - 1]
                    if FIELD_TERMINATOR in value or not value.strip():
                        value = None
                if value is None and i == 0:  # the first field is 001 in nearly every record
                    stop = rec.find(FIELD_TERMINATOR, base)
                    value = rec[base:stop] if stop > 0 else None
                break
        if value:
            text = value.decode("ascii", "replace").strip()
            return text if text and text.isprintable() else None
    except Exception:
        return None
    return None


# -- reading --------------------------------------------------------------------------------------


class _Unreadable(Exception):
    """A record that cannot be read at all (becomes a Reject)."""


def read_iso2709(stream: BinaryIO, name: str) -> Iterator[Item]:
    """Every record of an ISO 2709 input, in order, as :class:`Read` or :class:`Reject`.

    ``stream`` is a binary file object (bytes are accepted too). Only an input that cannot be
    read at all raises :class:`InputError`; bad records never raise.
    """
    if isinstance(stream, (bytes, bytearray, memoryview)):
        stream = io.BytesIO(bytes(stream))
    return _read(stream, name)


def _read_chunk(stream: BinaryIO, name: str) -> bytes:
    try:
        chunk = stream.read(CHUNK_SIZE)
    except (OSError, ValueError) as exc:
        raise InputError(f"{name}: cannot read: {exc}") from exc
    if chunk is None:
        return b""
    if isinstance(chunk, str):
        raise InputError(f"{name}: ISO 2709 is read from a binary stream, not a text one")
    return bytes(chunk)


def _read(stream: BinaryIO, name: str) -> Iterator[Item]:
    decoder = _Decoder()
    buf = b""
    base = 0  # input offset of buf[0]
    cur = 0  # where the next record starts in buf
    eof = False
    ordinal = 0
    held: Item | None = None  # the last item, kept until we know whether junk follows it
    item: Item
    junk = b""  # bytes skipped since the last item
    junk_at = 0

    while True:
        end = buf.find(RECORD_TERMINATOR, cur)
        while end < 0 and not eof and len(buf) - cur <= MAX_SEGMENT:
            chunk = _read_chunk(stream, name)
            if not chunk:
                eof = True
                break
            searched = len(buf) - cur
            buf = buf[cur:] + chunk
            base += cur
            cur = 0
            end = buf.find(RECORD_TERMINATOR, searched)
        if end >= 0:
            seg_end, terminated = end + 1, True
        elif cur < len(buf):
            seg_end, terminated = (len(buf) if eof else cur + MAX_SEGMENT), False
        else:
            break
        seg = buf[cur:seg_end]
        seg_at = base + cur

        p = _find_leader(seg)
        if p is None:
            if len(seg.strip(_WHITESPACE)) < 24:
                # a stray terminator, newlines, padding, a few bytes: skipped, said on a record
                if not junk:
                    junk_at = seg_at
                junk += seg
                if len(junk) > MAX_SEGMENT:  # megabytes of padding: said as such, memory stays flat
                    ordinal += 1
                    item = Reject(
                        Position(name, ordinal, offset=junk_at), junk, f"{len(junk)} bytes with no record"
                    )
                    junk = b""
                    if held is not None:
                        yield held
                    held = item
            else:
                ordinal += 1
                raw = junk + seg
                item = Reject(
                    Position(name, ordinal, offset=junk_at if junk else seg_at),
                    raw,
                    f"{len(seg)} bytes with no usable leader"
                    + ("" if terminated else " and no record terminator"),
                    _sniff_001(seg[len(seg) - len(seg.lstrip(_WHITESPACE)) :]),
                )
                junk = b""
                if held is not None:
                    yield held
                held = item
            cur = seg_end
            continue

        if p:
            lead = seg[:p]
            if len(lead.strip(_WHITESPACE)) >= 24:
                ordinal += 1
                item = Reject(
                    Position(name, ordinal, offset=junk_at if junk else seg_at),
                    junk + lead,
                    f"{len(lead)} bytes with no usable leader before the next record",
                    None,
                )
                junk = b""
                if held is not None:
                    yield held
                held = item
            else:
                if not junk:
                    junk_at = seg_at
                junk += lead
        rec = seg[p:]
        rec_at = seg_at + p
        notes: list[str] = []
        declared = rec[:5]
        if declared.isdigit() and 24 < int(declared) <= len(rec):
            # no terminator, but the leader length (counting the missing terminator or not)
            # points at the next leader: trust it
            for length in (int(declared) - 1, int(declared)):
                if (
                    length < len(rec)
                    and rec[length - 1 : length] == FIELD_TERMINATOR
                    and _consistent_leader(rec, length)
                ):
                    rec = rec[:length]
                    seg_end = cur + p + length
                    terminated = True
                    notes.append("record terminator missing; the leader's record length ends the record")
                    break
        cur = seg_end
        if not terminated:
            notes.append(
                "no record terminator before the end of the input"
                if eof
                else f"no record terminator within {MAX_SEGMENT} bytes"
            )

        ordinal += 1
        position = Position(name, ordinal, offset=rec_at)
        try:
            record, repairs = decoder.decode(rec, complete=terminated)
        except _Unreadable as exc:
            item = Reject(
                Position(name, ordinal, offset=junk_at if junk else rec_at),
                junk + rec,
                str(exc) + (f" (after {len(junk)} skipped bytes)" if junk else ""),
                _sniff_001(rec),
            )
        else:
            if junk:
                repairs.insert(0, f"skipped {len(junk)} byte(s) before the record: {_preview(junk)}")
            item = Read(record, position, rec, tuple(dict.fromkeys(notes + repairs)))
        junk = b""
        if held is not None:
            yield held
        held = item

    if junk:
        if isinstance(held, Read) and (len(junk.strip(_WHITESPACE)) < 24):
            held = held._replace(
                repairs=held.repairs + (f"skipped {len(junk)} byte(s) after the record: {_preview(junk)}",)
            )
        elif isinstance(held, Reject):
            held = held._replace(raw=held.raw + junk)
        else:
            if held is not None:
                yield held
            ordinal += 1
            held = Reject(Position(name, ordinal, offset=junk_at), junk, f"{len(junk)} bytes with no record")
    if held is not None:
        yield held


class _Decoder:
    """Decodes one record's bytes into a pymarc Record plus repairs."""

    # -- structure ----------------------------------------------------------------------------

    def decode(self, rec: bytes, complete: bool = True) -> tuple[Record, list[str]]:
        n = len(rec)
        if n < 24:
            raise _Unreadable(f"{n} bytes: shorter than a 24-byte leader")
        repairs: list[str] = []
        body_end = n - 1 if rec[-1] == 0x1D else n

        raw_leader = rec[:24]
        if _LEADER_PRINTABLE.fullmatch(raw_leader):
            leader = raw_leader.decode("ascii")
        else:
            leader = "".join(chr(b) if 0x20 <= b < 0x7F else " " for b in raw_leader)
            bad = [i for i, b in enumerate(raw_leader) if not 0x20 <= b < 0x7F]
            repairs.append(f"leader bytes not printable ASCII at position(s) {bad} made blanks")

        base = _base_address(rec, leader[12:17], body_end, repairs)
        end_of_directory = base - 1

        if leader[:5] != f"{n:05d}":
            repairs.append(
                f"leader record length {leader[:5]!r} does not match the {n} bytes of the record; "
                "the record terminator was trusted"
            )

        directory = rec[24:end_of_directory]
        data = rec[base:body_end]
        spans, structural = _spans(directory, data)
        if not complete and structural:
            raise _Unreadable("record truncated: the input ends inside it")
        repairs.extend(structural)
        if not spans:
            raise _Unreadable("no fields: the directory is empty")

        coding = leader[9]
        mode, note = _coding(data, coding)
        if coding not in ("a", " "):
            repairs.append(f"leader/09 {coding!r} is neither 'a' nor blank: read as {mode}")
        if note:
            repairs.append(note)
        unusual = b"" if mode == _UTF8 else data.translate(None, _PLAIN)
        if not unusual:
            fields = self._fields(spans, False, False, repairs)
        else:
            fields = self._fields(spans, True, _CONTROL.search(unusual) is not None, repairs)
        if not fields:
            raise _Unreadable("no field could be read")

        leader = f"{min(n, 99999):05d}{leader[5:9]}a{leader[10:12]}{min(base, 99999):05d}{leader[17:]}"
        record = new_record(leader)
        record.fields = fields
        return record, repairs

    # -- values ---------------------------------------------------------------------------------

    def _fields(self, spans, marc8: bool, controls: bool, repairs: list[str]) -> list[Field]:
        """Fields from (tag, bytes) pairs. Plain ASCII values and NFC UTF-8 take the fast path:
        one decode per field, one split, subfields built in a comprehension."""
        fields: list[Field] = []
        append = fields.append
        for tag, raw in spans:
            if marc8:
                if tag in _CONTROL_TAGS:
                    # byte for byte, control characters kept: positions matter in 006/007/008
                    if raw.isascii():
                        data = raw.decode("ascii")
                    else:
                        data = raw.decode("ascii", "replace")
                        repairs.append(
                            f"field {tag}: non-ASCII bytes in a control field replaced with U+FFFD "
                            "(character positions kept)"
                        )
                    append(_control_field(tag, data))
                    continue
                if raw.isascii() and not (controls and _CONTROL.search(raw)):
                    text = raw.decode("ascii")
                else:
                    append(self._marc8_data_field(tag, raw, controls, repairs))
                    continue
            else:
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    text = raw.decode("utf-8", "replace")
                    repairs.append(f"field {tag}: bytes that are not UTF-8 replaced with U+FFFD")
                if tag in _CONTROL_TAGS:
                    append(_control_field(tag, text if text.isascii() else _normalize("NFC", text)))
                    continue
            parts = text.split("\x1f")
            ind = parts[0]
            if (
                len(ind) == 2
                and ind.isascii()
                and ind.isprintable()
                and "" not in parts
                and (text.isascii() or (_is_normalized("NFC", text) and not _ODD_CODE.search(text)))
            ):
                append(
                    _data_field(
                        tag,
                        _tuple_new(Indicators, (ind[0], ind[1])),
                        [_tuple_new(Subfield, (part[0], part[1:])) for part in parts[1:]],
                    )
                )
            else:
                append(self._text_data_field(tag, parts, repairs))
        return fields

    def _text_data_field(self, tag: str, parts: list[str], repairs: list[str]) -> Field:
        ind = parts[0]
        if len(ind) == 2 and ind.isascii() and ind.isprintable():
            indicators = Indicators(ind[0], ind[1])
        else:
            indicators, text = _indicators(ind, tag, repairs)
            if text is not None:
                parts.insert(1, "a" + text)
        subfields = []
        for part in parts[1:]:
            if not part:
                repairs.append(f"field {tag}: empty subfield dropped")
                continue
            code = part[0]
            value = part[1:]
            if not code.isascii():
                fixed = _code(part, tag, repairs)
                if fixed is None:
                    continue
                code, value = fixed
            if not value.isascii():
                value = _normalize("NFC", value)
            subfields.append(Subfield(code, value))
        return _data_field(tag, indicators, subfields)

    def _marc8_data_field(self, tag: str, raw: bytes, controls: bool, repairs: list[str]) -> Field:
        if _M8_PLAIN_FIELD.fullmatch(raw):
            return _ansel_data_field(tag, raw)
        value_of = self._marc8_value
        parts = raw.split(SUBFIELD_DELIMITER)
        ind = parts[0]
        if len(ind) == 2 and 0x20 <= ind[0] < 0x7F and 0x20 <= ind[1] < 0x7F:
            indicators = Indicators(chr(ind[0]), chr(ind[1]))
        else:
            indicators, text = _indicators(ind.decode("latin-1"), tag, repairs)
            if text is not None:
                parts.insert(1, b"a" + ind[2:])
        subfields = []
        for part in parts[1:]:
            if not part:
                repairs.append(f"field {tag}: empty subfield dropped")
                continue
            if part[0] < 0x80:
                value = part[1:]
                if value.isascii() and not controls:
                    subfields.append(_tuple_new(Subfield, (chr(part[0]), value.decode("ascii"))))
                else:
                    subfields.append(_tuple_new(Subfield, (chr(part[0]), value_of(value, tag, repairs))))
                continue
            # a code byte that is not ASCII: folded to ASCII as a Latin-1 letter, like pymarc
            folded = _normalize("NFKD", chr(part[0])).encode("ascii", "ignore").decode("ascii").strip()
            if folded:
                repairs.append(f"field {tag}: subfield code byte {part[:1]!r} read as {folded[0]!r}")
                subfields.append(Subfield(folded[0], value_of(part[1:], tag, repairs)))
                continue
            fixed = _code(value_of(part, tag, repairs), tag, repairs)
            if fixed is not None:
                subfields.append(Subfield(*fixed))
        return _data_field(tag, indicators, subfields)

    def _marc8_value(self, value: bytes, tag: str, repairs: list[str]) -> str:
        """One MARC-8 value (a subfield or a control field) as NFC Unicode."""
        if value.isascii():
            if not _CONTROL.search(value):
                return value.decode("ascii")
        elif not _M8_IRREGULAR.search(value) and value[-1] not in _COMBINING_SET:
            # ASCII + ANSEL, every combining mark followed by its base character
            return _normalize("NFC", _charmap_decode(_reorder(value), "strict", _ANSEL_TABLE)[0])
        if 0x1B in value:
            return self._marc8_escaped(value, tag, repairs)
        if _M8_C0.search(value):
            value = value.translate(None, _C0)
            repairs.append(f"field {tag}: control characters dropped")
        value = value.translate(None, _FORMATTING)
        if _M8_INVALID.search(value):
            value = value.translate(_TO_PLACEHOLDER)
            repairs.append(f"field {tag}: bytes that are not MARC-8 replaced with U+FFFD")
        trailing = _M8_TRAILING_COMBINING.search(value)
        if trailing:
            value = value[: trailing.start()]
            repairs.append(f"field {tag}: combining diacritic with no base character dropped")
        return _normalize("NFC", _charmap_decode(_reorder(value), "strict", _ANSEL_TABLE)[0])

    def _marc8_escaped(self, value: bytes, tag: str, repairs: list[str]) -> str:
        """A MARC-8 value with escape sequences, read as pymarc reads it (see :mod:`.marc8`). A
        value whose last escape is cut short is read without its last byte or two."""
        escapes = value.count(0x1B)
        if len(_M8_ESCAPE_RE.findall(value)) != escapes:
            repairs.append(f"field {tag}: MARC-8 escape sequence(s) not defined by MARC-8 ignored")
        for keep in (len(value), len(value) - 1, len(value) - 2):
            try:
                text, cut = marc8.translate(value[:keep])
            except marc8.Marc8Error:
                continue
            if cut is not None:
                _cut_short(cut, keep, b"\x1b$" in value, tag, repairs)
            if keep < len(value):
                repairs.append(f"field {tag}: incomplete multibyte MARC-8 character replaced with U+FFFD")
                text += "\ufffd"
            return text
        # give up on the escapes: keep the ASCII/ANSEL reading of the bytes
        repairs.append(f"field {tag}: MARC-8 escape sequences could not be decoded; read as ASCII/ANSEL")
        return self._marc8_value(value.replace(b"\x1b", b""), tag, repairs)


def _ansel_data_field(tag: str, raw: bytes) -> Field:
    """A data field that ``_M8_PLAIN_FIELD`` matches, translated in one go rather than value by
    value: the same text, as combining marks stay in their value and NFC never composes across
    the subfield delimiter (a character that combines with nothing)."""
    text = _normalize("NFC", _charmap_decode(_reorder(raw), "strict", _ANSEL_FIELD_TABLE)[0])
    parts = text.split("\x1f")
    return _data_field(
        tag,
        _tuple_new(Indicators, (text[0], text[1])),
        [_tuple_new(Subfield, (part[0], part[1:])) for part in parts[1:]],
    )


def _cut_short(cut: int, length: int, designated: bool, tag: str, repairs: list[str]) -> None:
    """A multibyte character cut short (made a blank): a repair when the value designates a
    multibyte set with ``ESC $``; otherwise (EACC reached by another escape) the warning pymarc
    prints, as reading through pymarc did."""
    if designated:
        repairs.append(f"field {tag}: incomplete multibyte MARC-8 character made a blank")
    else:
        sys.stderr.write(f"Multi-byte position {cut} exceeds length of marc8 string {length}\n")


def _base_address(rec: bytes, declared: str, body_end: int, repairs: list[str]) -> int:
    """Where the field data starts: just after the first field terminator after the leader, unless
    the leader's base address is where a directory of whole entries ends and reads better."""
    first = rec.find(FIELD_TERMINATOR, 24, body_end)
    stated = int(declared) if declared.isdigit() else -1
    if stated == first + 1 and first > 0:
        return stated
    if 25 <= stated <= body_end and (stated - 25) % 12 == 0:
        data = rec[stated:body_end]
        entries = [rec[i : i + 12] for i in range(24, stated - 1, 12)]
        if first < 0 or _valid_entries(entries, data) > _valid_entries(
            [rec[i : i + 12] for i in range(24, first - 11, 12)], rec[first + 1 : body_end]
        ):
            repairs.append(
                f"the directory ends with {rec[stated - 1 : stated]!r} instead of a field terminator; "
                "the leader base address was trusted"
            )
            return stated
    if first < 0:
        raise _Unreadable("no field terminator after the leader: the directory has no end")
    repairs.append(f"leader base address {declared!r} is wrong: the directory ends at byte {first}")
    return first + 1


_tuple_new = tuple.__new__
_is_normalized = unicodedata.is_normalized
# a subfield code that is not ASCII, or a value that starts with a combining mark
_ODD_CODE = re.compile(
    "\x1f(?:[^\x00-\x7f]|.[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f])"
)




def _indicators(ind: str, tag: str, repairs: list[str]) -> tuple[Indicators, str | None]:
    if not ind:
        repairs.append(f"field {tag}: indicators missing; set to blanks")
    elif len(ind) == 1:
        repairs.append(f"field {tag}: second indicator missing; set to blank")
    text = None
    if len(ind) > 2:
        extra = ind[2:]
        if len(extra.strip()) >= 2:
            # a subfield that lost its delimiter and code: keep the text as $a
            text = extra
            repairs.append(
                f"field {tag}: text before the first subfield delimiter kept as $a: {extra[:40]!r}"
            )
        else:
            repairs.append(
                f"field {tag}: {len(extra)} character(s) between the indicators and the first subfield "
                f"dropped: {extra!r}"
            )
    out = []
    for i, ch in enumerate((ind + "  ")[:2], 1):
        if not (ch.isascii() and ch.isprintable()):
            repairs.append(
                f"field {tag}: indicator {i} {ch!r} is not a printable ASCII character; set to blank"
            )
            ch = " "
        out.append(ch)
    return Indicators(out[0], out[1]), text


def _code(part: str, tag: str, repairs: list[str]) -> tuple[str, str] | None:
    """A subfield whose code is not ASCII: fold it to ASCII, or skip it and use the next one."""
    first = part[0]
    folded = _normalize("NFKD", first).encode("ascii", "ignore").decode("ascii")
    if folded.strip():
        repairs.append(f"field {tag}: subfield code {first!r} read as {folded[0]!r}")
        return folded[0], _normalize("NFC", part[1:])
    if len(part) > 1 and part[1].isascii() and part[1].isalnum():
        repairs.append(
            f"field {tag}: subfield code {first!r} is not ASCII; the next character {part[1]!r} taken as code"
        )
        return part[1], _normalize("NFC", part[2:])
    repairs.append(f"field {tag}: subfield with code {first!r} dropped: {part[1:41]!r}")
    return None


_TAG_CACHE: dict[bytes, str] = {}


_ENTRY_TAGS = struct.Struct("3s9x").iter_unpack  # the tag of every 12-byte directory entry


def _tag(raw_tag: bytes) -> str:
    tag = _TAG_CACHE.get(raw_tag)
    if tag is None:
        tag = _TAG_CACHE.setdefault(raw_tag, raw_tag.decode("ascii"))
    return tag


def _spans(directory: bytes, data: bytes) -> tuple[list[tuple[str, bytes]], list[str]]:
    """(tag, field bytes without terminator) for each field, and the structural repairs."""
    spans = _tiled_spans(directory, data)
    if spans is not None:
        return spans, []
    repairs: list[str] = []
    count, rest = divmod(len(directory), 12)
    entries = [directory[i : i + 12] for i in range(0, count * 12, 12)]
    if rest:
        # a byte lost or added: read the entries from both ends, keep the reading that works
        right = [directory[i : i + 12] for i in range(rest, len(directory), 12)]
        if rest >= 9:
            right.insert(0, directory[: rest - 9].rjust(3, b"0") + directory[rest - 9 : rest])
        if _valid_entries(right, data) > _valid_entries(entries, data):
            entries = right
            repairs.append(
                f"directory is {len(directory)} bytes, not a multiple of 12: entries read from its end"
                + (f"; first tag guessed as {right[0][:3].decode('latin-1')!r}" if rest >= 9 else "")
            )
        else:
            repairs.append(
                f"directory is {len(directory)} bytes, not a multiple of 12: "
                f"{rest} trailing byte(s) ignored: {_preview(directory[-rest:])}"
            )

    spans: list[tuple[bytes, bytes]] = []
    size = len(data)
    for entry in entries:
        length, offset = entry[3:7], entry[7:12]
        if not (length.isdigit() and offset.isdigit()):
            break
        start = int(offset)
        stop = start + int(length)
        if stop <= start or stop > size or data[stop - 1] != 0x1E or (start and data[start - 1] != 0x1E):
            break
        spans.append((entry[:3], data[start : stop - 1]))
    else:
        return _tags(spans, repairs), repairs

    # the directory does not describe the data: split the data on field terminators instead
    chunks = data.split(FIELD_TERMINATOR)
    if chunks[-1]:
        repairs.append("the last field has no field terminator")
    else:
        chunks.pop()
    tags = [e[:3] for e in entries]
    repairs.append(
        "directory lengths/offsets do not match the field data: fields recovered by splitting the data "
        "on field terminators, tags taken from the directory in order"
    )
    if len(chunks) > len(tags):
        dropped = chunks[len(tags) :]
        repairs.append(
            f"{len(dropped)} field(s) at the end of the data have no directory entry and were dropped: "
            + _preview(FIELD_TERMINATOR.join(dropped), 60)
        )
    elif len(chunks) < len(tags):
        repairs.append(
            f"directory lists {len(tags)} fields but the data holds {len(chunks)}: the last "
            f"{len(tags) - len(chunks)} directory entries ignored"
        )
    return _tags(list(zip(tags, chunks)), repairs), repairs


def _tiled_spans(directory: bytes, data: bytes) -> list[tuple[str, bytes]] | None:
    """The common case, checked without a Python loop per entry: the directory is, byte for byte,
    the one a writer makes for the fields the data splits into on field terminators (entries in
    data order, each field exactly the bytes up to the next terminator), and its tags are
    alphanumeric. None when it is not."""
    count, rest = divmod(len(directory), 12)
    chunks = data.split(FIELD_TERMINATOR)
    if not count or rest or len(chunks) != count + 1 or chunks[-1]:
        return None
    tags = [entry[0] for entry in _ENTRY_TAGS(directory)]
    sizes = [len(chunk) + 1 for chunk in chunks]
    sizes.pop()
    entries = zip(tags, sizes, accumulate(sizes, initial=0))
    if (b"%s%04d%05d" * count) % tuple(chain.from_iterable(entries)) != directory:
        return None
    names = list(map(_TAG_CACHE.get, tags))
    if None in names:
        if not all(map(bytes.isalnum, tags)):
            return None
        names = list(map(_tag, tags))
    return list(zip(names, chunks))


def _valid_entries(entries: list[bytes], data: bytes) -> int:
    good = 0
    for entry in entries:
        length, offset = entry[3:7], entry[7:12]
        if length.isdigit() and offset.isdigit():
            start, stop = int(offset), int(offset) + int(length)
            if (
                start < stop <= len(data)
                and data[stop - 1] == 0x1E
                and (not start or data[start - 1] == 0x1E)
            ):
                good += 1
    return good


def _tags(spans: list[tuple[bytes, bytes]], repairs: list[str]) -> list[tuple[str, bytes]]:
    out = []
    for raw_tag, value in spans:
        tag = _TAG_CACHE.get(raw_tag)
        if tag is None:
            if len(raw_tag) == 3 and raw_tag.isalnum():
                tag = _TAG_CACHE.setdefault(raw_tag, raw_tag.decode("ascii"))
            elif raw_tag and all(0x20 <= b < 0x7F for b in raw_tag):
                tag = raw_tag.decode("ascii").rjust(3)
                repairs.append(f"field tag {tag!r} is not alphanumeric; kept as it is")
            else:
                repairs.append(
                    f"field with tag {_preview(raw_tag)} (control or non-ASCII bytes) dropped: {_preview(value)}"
                )
                continue
        out.append((tag, value))
    return out


def _coding(data: bytes, coding: str) -> tuple[str, str | None]:
    """How a record's field data is encoded, whatever leader/09 says, and a repair if it lied."""
    try:
        data.decode("utf-8")
        valid = True
    except UnicodeDecodeError:
        valid = False
    has_escape = 0x1B in data
    if coding == "a":
        if valid:
            if has_escape and data.isascii() and _M8_ESCAPE_RE.search(data):
                return _MARC8, "leader/09 says UTF-8 but the record is MARC-8 (MARC-8 escape sequences)"
            return _UTF8, None
        if _M8_EVIDENCE.search(data) is None:
            return _UTF8, None
        utf8, marc8 = _votes(data)
        if marc8 > utf8:
            return _MARC8, "leader/09 says UTF-8 but the record is MARC-8"
        return _UTF8, None
    if data.isascii():
        return _MARC8, None
    if has_escape and _M8_ESCAPE_RE.search(data):
        return _MARC8, None
    if valid:
        return _UTF8, "leader/09 says MARC-8 but the record is UTF-8"
    if not _has_utf8_sequence(data):
        return _MARC8, None
    utf8, marc8 = _votes(data)
    if utf8 > marc8:
        return _UTF8, "leader/09 says MARC-8 but the record is UTF-8 (with some bytes that are neither)"
    return _MARC8, None


def _has_utf8_sequence(data: bytes) -> bool:
    """Whether the bytes hold a UTF-8 multibyte sequence (a match of ``_UTF8_SEQUENCE``), found by
    the UTF-8 decoder skipping what is not UTF-8: a lead byte is never inside the invalid bytes it
    skips, so every sequence the pattern finds it decodes, many times faster than the search."""
    return not data.decode("utf-8", "ignore").isascii()


def _votes(data: bytes) -> tuple[int, int]:
    """Evidence for UTF-8 (multibyte sequences) and for MARC-8 (diacritics before a base
    character, escape sequences) in bytes that are not valid in the declared coding."""
    return len(_UTF8_SEQUENCE.findall(data)), len(_M8_EVIDENCE.findall(data))


# -- writing --------------------------------------------------------------------------------------

_FRAMING = str.maketrans({"\x1d": " ", "\x1e": " ", "\x1f": " "})
_CONTROL_FRAMING = str.maketrans({"\x1d": " ", "\x1e": " "})


def write_iso2709(record: Record) -> bytes:
    """One record as UTF-8 ISO 2709 (leader/09 ``a``, lengths and directory computed here).

    Terminator characters inside values (and subfield delimiters inside subfield values) would
    break the framing: they are written as blanks. A record longer than 99,999 bytes, or a field longer than 9,999, cannot
    be written in ISO 2709: ValueError, naming the record's 001.
    """
    data: list[bytes] = []
    directory: list[bytes] = []
    offset = 0
    for field in record.fields:
        tag = field.tag
        if len(tag) != 3:
            tag = tag.rjust(3, "0") if tag.isdigit() else tag[:3].rjust(3)
        if field.is_control_field():
            body = (field.data or "").translate(_CONTROL_FRAMING).encode("utf-8") + FIELD_TERMINATOR
        else:
            ind1, ind2 = field.indicators or (" ", " ")
            parts = [((ind1 or " ")[:1] + (ind2 or " ")[:1]).encode("utf-8")]
            for sf in field.subfields:
                parts.append(
                    SUBFIELD_DELIMITER + ((sf.code or " ")[:1] + sf.value.translate(_FRAMING)).encode("utf-8")
                )
            parts.append(FIELD_TERMINATOR)
            body = b"".join(parts)
        if len(body) > 9999:
            raise ValueError(
                f"record {_number(record)}: field {tag} is {len(body)} bytes, more than ISO 2709's 9,999"
            )
        directory.append(b"%s%04d%05d" % (tag.encode("utf-8")[:3].ljust(3), len(body), offset))
        data.append(body)
        offset += len(body)
    base = 24 + 12 * len(directory) + 1
    length = base + offset + 1
    if length > 99999:
        raise ValueError(f"record {_number(record)}: {length} bytes, more than ISO 2709's 99,999")
    leader = str(record.leader)
    leader = (leader + " " * 24)[:24] if len(leader) != 24 else leader
    head = f"{length:05d}{leader[5:9]}a22{base:05d}{leader[17:20]}4500"
    return b"".join([head.encode("ascii", "replace"), *directory, FIELD_TERMINATOR, *data, RECORD_TERMINATOR])


def _number(record: Record) -> str:
    for field in record.get_fields("001"):
        if field.data and field.data.strip():
            return repr(field.data.strip())
    return "(no 001)"
