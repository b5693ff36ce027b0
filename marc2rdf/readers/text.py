"""Plain-text MARC dumps, read line by line.

Three forms are read, each by its own function, all on the same machinery (:func:`read_lines`):

* :func:`read_formatted` — Perl MARC::Record ``as_formatted()``::

      LDR 01201nam a2200253 a 4500
      001     tes96000001
      245 10 _aNew test record number 1
             _h[large print] /

  a control field is its tag, five spaces and its data (trailing spaces are data); a data field
  is its tag, a space, both indicators, a space and ``_`` with the first subfield code and
  value; each further subfield is on its own line, indented by seven spaces.

* :func:`read_koha_text` — the dump Koha and similar ILSs print: ``000`` for the leader, tag and
  data separated by one space, indicators as separate tokens with blank indicators left out
  (``100 1 0 _aName``, ``786 0 _n...``, ``041 _afre``), further subfields on lines of their own
  starting with ``_``. A single indicator token is placed with the MARC 21 bibliographic
  indicator definitions shipped in ``indicators.tsv``; every such placement is reported as a
  repair. Blanks after the subfield code (``_a Thoër``) are removed and reported.

* :func:`read_yaz_line` — ``yaz-marcdump -o line``: the leader alone on the first line,
  ``001 data`` for control fields, ``245 10 $a value $b value`` for data fields (yaz writes
  `` $`` + code + a space before every value).

In all three, a line that starts no field continues the value before it (the writer printed a
value holding a line break); records are separated by a blank line, and a leader line also starts
a new record. :func:`read_text` sniffs which form an input is in (:func:`sniff_text`) and reads
it. :func:`write_formatted` writes the ``as_formatted()`` form.

The resulting record always has a 24-character leader with leader/09 ``a`` (the text is
Unicode, NFC): a leader of another length is realigned and reported.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, NamedTuple

from pymarc import Field, Leader, Record, Subfield

from marc2rdf.readers.base import InputError, Item, Position, Read, Reject, new_field, nfc

__all__ = [
    "MalformedLine",
    "RecordDraft",
    "Syntax",
    "indicator_definitions",
    "read_formatted",
    "read_koha_text",
    "read_lines",
    "read_text",
    "read_yaz_line",
    "repair_leader",
    "sniff_text",
    "write_formatted",
]

LEADER_LENGTH = 24
BLANK_LEADER = "     n   a22     uu 4500"
SNIFF_LINES = 200

_TAG = r"[0-9A-Za-z]{3}"


def is_control_tag(tag: str) -> bool:
    """00X fields carry data without indicators or subfields (pymarc's rule as well)."""
    return tag.isdigit() and tag < "010"


# --------------------------------------------------------------------------------------------
# Lines and records


class Line(NamedTuple):
    number: int  # 1-based
    offset: int  # byte offset of the line in the input
    text: str  # decoded, without its line ending
    raw: bytes  # exact bytes, line ending included
    bad_utf8: bool  # invalid UTF-8 was replaced with U+FFFD


def _looks_binary(raw: bytes) -> bool:
    return any(c in raw for c in (b"\x00", b"\x1d", b"\x1e", b"\x1f"))


# --------------------------------------------------------------------------------------------
# Building a record


class MalformedLine(Exception):
    """A line that cannot be read: the record it is in is rejected."""

    def __init__(self, line: Line, message: str):
        super().__init__(f"line {line.number}: {message}: {line.text[:80]!r}")
        self.line = line


@dataclass
class DraftField:
    tag: str
    line: Line
    control: bool
    data: str = ""  # control fields: raw data
    indicators: list[str] = field(default_factory=lambda: [" ", " "])
    tokens: list[str] | None = None  # indicator tokens still to place (Koha dump)
    subfields: list[list[str]] = field(default_factory=list)  # [code, raw value]


class RecordDraft:
    """What a syntax has read of one record so far; :meth:`finish` makes it a pymarc Record."""

    def __init__(self) -> None:
        self.leader: str | None = None
        self.fields: list[DraftField] = []
        self.repairs: list[str] = []
        self.notes: dict[str, list[str]] = {}

    def note(self, kind: str, where: str) -> None:
        """A repair made many times in a record is reported once, listing where."""
        self.notes.setdefault(kind, []).append(where)

    @property
    def current(self) -> DraftField | None:
        return self.fields[-1] if self.fields else None

    def set_leader(self, text: str) -> None:
        self.leader = text

    def add_control(self, tag: str, data: str, line: Line) -> None:
        self.fields.append(DraftField(tag, line, control=True, data=data))

    def add_data(self, tag: str, line: Line, ind1: str = " ", ind2: str = " ") -> DraftField:
        draft = DraftField(tag, line, control=False, indicators=[ind1, ind2])
        self.fields.append(draft)
        return draft

    def add_subfield(self, code: str, value: str, line: Line) -> None:
        current = self.current
        if current is None or current.control:
            raise MalformedLine(line, "subfield outside a data field")
        current.subfields.append([code, value])

    def extend_value(self, text: str, line: Line, separator: str = "\n") -> None:
        """A line that starts no field: it continues the last value."""
        current = self.current
        if current is None:
            raise MalformedLine(line, "not a field")
        if current.control:
            current.data += separator + text
        elif current.subfields:
            current.subfields[-1][1] += separator + text
        else:
            raise MalformedLine(line, "text before the first subfield")
        self.note("lines starting no field, joined to the value before them", f"line {line.number}")

    def control_number(self) -> str | None:
        for draft in self.fields:
            if draft.tag == "001" and draft.control and draft.data.strip():
                return draft.data.strip()
        return None

    def finish(self, syntax: Syntax) -> Record:
        record = Record()
        leader, repairs = repair_leader(self.leader)
        self.repairs.extend(repairs)
        record.leader = Leader(leader)
        for draft in self.fields:
            record.add_field(self._build(draft, syntax))
        self.repairs.extend(f"{kind}: {_listing(where)}" for kind, where in self.notes.items())
        return record

    def _build(self, draft: DraftField, syntax: Syntax) -> Field:
        if draft.control:
            return new_field(draft.tag, data=syntax.value(draft.data, "", draft, self))
        syntax.place_indicators(draft, self)
        subfields = [Subfield(code, syntax.value(raw, code, draft, self)) for code, raw in draft.subfields]
        return new_field(draft.tag, draft.indicators[0], draft.indicators[1], subfields=subfields)


def _listing(items: list[str], limit: int = 12) -> str:
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def repair_leader(text: str | None) -> tuple[str, list[str]]:
    """A 24-character leader with leader/09 ``a``, and the repairs made to get it.

    A leader of the wrong length is realigned on its entry map ``4500`` (positions 20-23) when it
    has one after an intact prefix: text after it is dropped, blanks lost from positions 17-19
    are restored; otherwise it is cut or padded to 24. leader/09 is set to ``a`` silently: the
    text has been decoded to Unicode, whatever encoding the leader named."""
    if text is None:
        return BLANK_LEADER, ["no leader: a blank one was supplied (record type and level unknown)"]
    repairs = []
    leader = text
    if len(text) != LEADER_LENGTH:
        leader = _realign_leader(text)
        repairs.append(f"leader had {len(text)} characters ({text!r}): read as {leader!r}")
    return leader[:9] + "a" + leader[10:], repairs


def _realign_leader(text: str) -> str:
    at = text.rfind("4500")
    head = text[:at] if at >= 0 else ""
    if 17 <= len(head) <= 20 and head[:5].isdigit() and head[12:17].isdigit():
        middle = head[17:]
        middle = "   " if not middle.strip() else middle.ljust(3)
        return head[:17] + middle + "4500"
    return text[:LEADER_LENGTH].ljust(LEADER_LENGTH)


# --------------------------------------------------------------------------------------------
# Syntaxes and the reading loop


class Syntax:
    """How one text form is read: which line starts a record, and what each line means.

    A line is, in this order: the leader (first line of a record), a subfield line, a field line
    (a line starting with a numeric tag always is one; one starting with another three-character
    tag only when it has the exact shape of a field line), a line with a broken tag (the record
    is rejected), or the continuation of the value before it. Values are NFC-normalized."""

    name = "text"
    #: MarcEdit treats whitespace-only lines as blank; the dumps may hold them inside a value
    whitespace_is_blank = False

    def starts_record(self, text: str) -> bool:
        raise NotImplementedError

    def leader(self, text: str) -> str | None:
        """The leader when ``text``, the first line of a record, is a leader line."""
        return None

    def subfield(self, text: str) -> tuple[str, str] | None:
        """(code, value) when ``text`` is a line holding just a further subfield."""
        return None

    def has_field_shape(self, text: str) -> bool:
        raise NotImplementedError

    def has_bad_tag(self, text: str) -> bool:
        return False

    def field(self, record: RecordDraft, line: Line) -> None:
        raise NotImplementedError

    def continuation(self, record: RecordDraft, line: Line) -> None:
        record.extend_value(line.text, line)

    def parse_line(self, record: RecordDraft, line: Line) -> None:
        text = line.text
        leader = self.leader(text) if record.leader is None and not record.fields else None
        if leader is not None:
            record.set_leader(leader)
        elif (sub := self.subfield(text)) is not None:
            record.add_subfield(sub[0], sub[1], line)
        elif self.is_field_line(text):
            self.field(record, line)
        elif self.has_bad_tag(text):
            raise MalformedLine(line, "bad tag")
        else:
            self.continuation(record, line)

    def is_field_line(self, text: str) -> bool:
        if re.match(r"\d{3}(?: |$)", text):
            return True
        return bool(re.match(rf"{_TAG} ", text)) and self.has_field_shape(text)

    def value(self, raw: str, code: str, field: DraftField, record: RecordDraft) -> str:
        """The final value of a control field (``code`` empty) or subfield."""
        return nfc(raw)

    def place_indicators(self, field: DraftField, record: RecordDraft) -> None:
        pass

    def read_chunk(self, chunk: list[Line], name: str, ordinal: int) -> Item:
        """The item made of the lines of one record (``ordinal``, 1-based, in the input)."""
        return _read_chunk(chunk, name, ordinal, self)


def read_lines(stream: Iterable[bytes], name: str, syntax: Syntax) -> Iterator[Item]:
    """Read every record of a line-based input with one :class:`Syntax`."""
    chunks = _records(stream, name, syntax.starts_record, syntax.whitespace_is_blank)
    read_chunk = syntax.read_chunk
    for ordinal, chunk in enumerate(chunks, 1):
        yield read_chunk(chunk, name, ordinal)


def _records(stream: Iterable[bytes], name: str, starts_record: Callable[[str], bool],
             whitespace_is_blank: bool = False) -> Iterator[list[Line]]:
    """The lines of a binary stream, decoded and grouped into records: an empty line ends a
    record, and a line for which ``starts_record`` is true begins a new one. Whitespace-only
    lines inside a record are kept (they continue a value) unless ``whitespace_is_blank``; before
    a record they are skipped. :class:`InputError` when the stream cannot be read or is binary
    MARC rather than text (after the records read before). One loop, with no generator step or
    call a line: blank lines are not made into a :class:`Line`."""
    offset = 0
    number = 0
    seen_text = False
    chunk: list[Line] = []
    lines = iter(stream)
    while True:
        try:
            raw = next(lines)
        except StopIteration:
            break
        except (OSError, ValueError) as exc:
            raise InputError(f"{name}: cannot read: {exc}") from exc
        number += 1
        if isinstance(raw, str):  # a text stream: accept it rather than fail
            raw = raw.encode("utf-8")
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            offset, raw = 3, raw[3:]
        if not seen_text and raw.strip():
            if _looks_binary(raw):
                raise InputError(f"{name}: binary data (ISO 2709?), not a text MARC dump")
            seen_text = True
        # UTF-8, invalid bytes replaced (and the line flagged), without its line ending
        try:
            text, bad = raw.decode("utf-8"), False
        except UnicodeDecodeError:
            text, bad = raw.decode("utf-8", "replace"), True
        text = text.removesuffix("\n").removesuffix("\r")
        if not text.strip() and (not chunk or not text or whitespace_is_blank):
            if chunk:
                yield chunk
                chunk = []
        else:
            if chunk and starts_record(text):
                yield chunk
                chunk = []
            chunk.append(_tuple_new(Line, (number, offset, text, raw, bad)))  # Line(...)
        offset += len(raw)
    if chunk:
        yield chunk


_tuple_new = tuple.__new__


def _read_chunk(chunk: list[Line], name: str, ordinal: int, syntax: Syntax) -> Item:
    first = chunk[0]
    position = Position(file=name, ordinal=ordinal, offset=first.offset, line=first.number)
    raw = b"".join([line.raw for line in chunk])
    draft = RecordDraft()
    try:
        for line in chunk:
            syntax.parse_line(draft, line)
        record = draft.finish(syntax)
    except MalformedLine as exc:
        return Reject(position, raw, str(exc), draft.control_number())
    bad = [f"line {line.number}" for line in chunk if line.bad_utf8]
    if bad:
        draft.repairs.insert(0, f"invalid UTF-8 replaced with U+FFFD: {_listing(bad)}")
    return Read(record, position, raw, tuple(draft.repairs))


# --------------------------------------------------------------------------------------------
# MARC::Record as_formatted()

_FMT_CONTROL = re.compile(rf"({_TAG})(?: {{5}}(.*))?", re.DOTALL)
_FMT_DATA = re.compile(rf"({_TAG}) (.)(.) _(.)(.*)", re.DOTALL)
_FMT_EMPTY_DATA = re.compile(rf"({_TAG})(?: (.)(.)?)? *")
_FMT_SUBFIELD = re.compile(r" {7}_(.)(.*)", re.DOTALL)
_FMT_BAD_TAG = re.compile(r"(\S+) (?:.. _.| {4}\S)")


class FormattedSyntax(Syntax):
    name = "formatted"

    def starts_record(self, text: str) -> bool:
        return text.startswith("LDR ")

    def leader(self, text: str) -> str | None:
        return text[4:] if text.startswith("LDR ") else None

    def subfield(self, text: str) -> tuple[str, str] | None:
        m = _FMT_SUBFIELD.fullmatch(text)
        return (m[1], m[2]) if m else None

    def has_field_shape(self, text: str) -> bool:
        return bool(_FMT_DATA.fullmatch(text)) or len(text) == 6  # with data, or empty

    def has_bad_tag(self, text: str) -> bool:
        return bool(_FMT_BAD_TAG.match(text))

    def field(self, record: RecordDraft, line: Line) -> None:
        text, tag = line.text, line.text[:3]
        if is_control_tag(tag):
            if not (m := _FMT_CONTROL.fullmatch(text)):
                raise MalformedLine(line, f"control field {tag} is not 'tag, five spaces, data'")
            record.add_control(tag, m[2] or "", line)
        elif m := _FMT_DATA.fullmatch(text):
            record.add_data(tag, line, m[2], m[3])
            record.add_subfield(m[4], m[5], line)
        elif m := _FMT_EMPTY_DATA.fullmatch(text):
            record.add_data(tag, line, m[2] or " ", m[3] or " ")
        else:
            raise MalformedLine(line, f"data field {tag} without a subfield")


# --------------------------------------------------------------------------------------------
# Koha-style dump

_KOHA_DATA = re.compile(rf"({_TAG})((?: +[^ _]{{1,2}})*) +_(.)(.*)", re.DOTALL)
_KOHA_EMPTY_DATA = re.compile(rf"({_TAG})((?: +[^ _]{{1,2}})*) *")
_KOHA_SUBFIELD = re.compile(r" *_(.)(.*)", re.DOTALL)
_KOHA_BAD_TAG = re.compile(r"(\S+)(?: +[^ _]{1,2})* +_.")


@dataclass(frozen=True)
class IndicatorRule:
    ind1: str  # allowed values, blank as " "
    ind2: str


@lru_cache(maxsize=1)
def indicator_definitions() -> dict[str, IndicatorRule]:
    """MARC 21 bibliographic indicator values by tag, from ``indicators.tsv``."""
    rules = {}
    path = Path(__file__).with_name("indicators.tsv")
    for row in path.read_text(encoding="utf-8").splitlines()[1:]:
        if row.strip():
            tag, ind1, ind2 = row.split("\t")[:3]
            rules[tag] = IndicatorRule(ind1.replace("#", " "), ind2.replace("#", " "))
    return rules


def place_single_indicator(tag: str, token: str, linked_tag: str | None = None) -> tuple[str, str, str]:
    """Where one indicator belongs when the other, blank, was left out: ``(ind1, ind2, why)``.

    The value goes where MARC 21 allows it; if it is allowed in both positions (or neither), where
    the other position may be blank; failing that, or for a field MARC 21 does not define (local
    9XX, 69X...), it is taken as the first indicator. An 880 is judged by the field it links to
    (``$6``)."""
    rule = indicator_definitions().get(linked_tag or tag)
    if rule is None:
        return token, " ", "field not defined in MARC 21: taken as first indicator"
    in1, in2 = token in rule.ind1, token in rule.ind2
    if in1 and not in2:
        return token, " ", "first indicator (MARC 21 allows it only there)"
    if in2 and not in1:
        return " ", token, "second indicator (MARC 21 allows it only there)"
    valid = "valid in either position" if in1 else "valid in neither position"
    blank1, blank2 = " " in rule.ind1, " " in rule.ind2
    if blank1 and not blank2:
        return " ", token, f"{valid}, but only the first may be blank: taken as second indicator"
    if blank2 and not blank1:
        return token, " ", f"{valid}, but only the second may be blank: taken as first indicator"
    return token, " ", f"{valid}: taken as first indicator"


class KohaSyntax(Syntax):
    name = "koha"

    def starts_record(self, text: str) -> bool:
        return text.startswith("000 ")

    def leader(self, text: str) -> str | None:
        return text[4:] if text.startswith("000 ") else None

    def subfield(self, text: str) -> tuple[str, str] | None:
        m = _KOHA_SUBFIELD.fullmatch(text)
        return (m[1], m[2]) if m else None

    def has_field_shape(self, text: str) -> bool:
        return bool(_KOHA_DATA.fullmatch(text))

    def has_bad_tag(self, text: str) -> bool:
        return bool(_KOHA_BAD_TAG.match(text))

    def field(self, record: RecordDraft, line: Line) -> None:
        text, tag = line.text, line.text[:3]
        if is_control_tag(tag):
            record.add_control(tag, text[4:], line)
            return
        m = _KOHA_DATA.fullmatch(text) or _KOHA_EMPTY_DATA.fullmatch(text)
        if m is None:
            raise MalformedLine(line, f"data field {tag} without a subfield")
        tokens = m[2].split()
        if len("".join(tokens)) > 2:
            raise MalformedLine(line, f"more than two indicators in field {tag}")
        record.add_data(tag, line).tokens = tokens
        if m.re is _KOHA_DATA:
            record.add_subfield(m[3], m[4], line)

    def value(self, raw: str, code: str, field: DraftField, record: RecordDraft) -> str:
        if code and raw[:1] == " ":
            record.note("blanks before a subfield value removed", f"{field.tag}${code} (line {field.line.number})")
            raw = raw.lstrip(" ")
        return nfc(raw)

    def place_indicators(self, field: DraftField, record: RecordDraft) -> None:
        tokens = field.tokens or []
        if len(tokens) == 2 or (len(tokens) == 1 and len(tokens[0]) == 2):
            field.indicators = list("".join(tokens))
        elif len(tokens) == 1:
            linked = _linked_tag(field) if field.tag == "880" else None
            ind1, ind2, why = place_single_indicator(field.tag, tokens[0], linked)
            field.indicators = [ind1, ind2]
            judged = f" (judged as {linked})" if linked else ""
            record.repairs.append(f"line {field.line.number}: {field.tag}{judged} has one indicator "
                                  f"{tokens[0]!r}, the other blank: {why}")


def _linked_tag(draft: DraftField) -> str | None:
    for code, value in draft.subfields:
        if code == "6" and re.match(r" *\d{3}", value):
            return value.strip()[:3]
    return None


# --------------------------------------------------------------------------------------------
# yaz-marcdump -o line

_YAZ_LEADER = re.compile(r"\d{5}.{7}\d{5}.{3}\d{4}")
_YAZ_DELIMITER = re.compile(r" \$([0-9A-Za-z])(?: |$)")
_YAZ_FIELD = re.compile(rf"{_TAG} ..(?: \$[0-9A-Za-z](?: |$)|$)")
_YAZ_BAD_TAG = re.compile(r"\S+ .. \$[0-9A-Za-z] ")


def split_yaz_subfields(text: str) -> tuple[str, list[tuple[str, str]]]:
    """``" $a one $b two"`` → ``("", [("a", "one"), ("b", "two")])``: the text before the first
    delimiter, and the subfields."""
    marks = list(_YAZ_DELIMITER.finditer(text))
    if not marks:
        return text, []
    subfields = []
    for mark, following in zip(marks, marks[1:] + [None]):
        end = following.start() if following else len(text)
        subfields.append((mark[1], text[mark.end():end]))
    return text[:marks[0].start()], subfields


class YazSyntax(Syntax):
    name = "yaz"

    def starts_record(self, text: str) -> bool:
        return bool(_YAZ_LEADER.fullmatch(text))

    def leader(self, text: str) -> str | None:
        # the first line of a record unless it is a field; a leader of a wrong length is still one
        if _YAZ_LEADER.fullmatch(text) or (not self.is_field_line(text) and 20 <= len(text) <= 30
                                           and " $" not in text and text[:1].isdigit()):
            return text
        return None

    def has_field_shape(self, text: str) -> bool:
        return bool(_YAZ_FIELD.match(text))

    def has_bad_tag(self, text: str) -> bool:
        return bool(_YAZ_BAD_TAG.match(text))

    def field(self, record: RecordDraft, line: Line) -> None:
        text, tag = line.text, line.text[:3]
        if is_control_tag(tag):
            record.add_control(tag, text[4:], line)
            return
        if 4 < len(text) < 6:
            raise MalformedLine(line, f"data field {tag} without indicators")
        record.add_data(tag, line, text[4:5] or " ", text[5:6] or " ")
        before, subfields = split_yaz_subfields(text[6:])
        if before.strip():
            raise MalformedLine(line, f"text before the first subfield of {tag}" if subfields
                                else f"data field {tag} without a subfield")
        for code, value in subfields:
            record.add_subfield(code, value, line)

    def continuation(self, record: RecordDraft, line: Line) -> None:
        current = record.current
        if current is None or current.control:
            record.extend_value(line.text, line)
            return
        before, subfields = split_yaz_subfields(line.text)
        record.extend_value(before, line)
        for code, value in subfields:
            record.add_subfield(code, value, line)


# --------------------------------------------------------------------------------------------
# Public readers

FORMATTED = FormattedSyntax()
KOHA = KohaSyntax()
YAZ = YazSyntax()


def read_formatted(stream: BinaryIO, name: str) -> Iterator[Item]:
    """Records printed by Perl MARC::Record ``as_formatted()``, blank-line separated."""
    return read_lines(stream, name, FORMATTED)


def read_koha_text(stream: BinaryIO, name: str) -> Iterator[Item]:
    """Records in the Koha-style dump (``000`` leader, indicator tokens, blanks left out)."""
    return read_lines(stream, name, KOHA)


def read_yaz_line(stream: BinaryIO, name: str) -> Iterator[Item]:
    """Records printed by ``yaz-marcdump -o line``."""
    return read_lines(stream, name, YAZ)


def _read_mrk(stream: BinaryIO, name: str) -> Iterator[Item]:
    from marc2rdf.readers.mrk import read_mrk

    return read_mrk(stream, name)


READERS: dict[str, Callable[[BinaryIO, str], Iterator[Item]]] = {
    "formatted": read_formatted,
    "koha": read_koha_text,
    "yaz": read_yaz_line,
    "mrk": _read_mrk,
}


def read_text(stream: BinaryIO, name: str) -> Iterator[Item]:
    """Any of the text forms: the first lines say which (:func:`sniff_text`)."""
    lines = iter(stream)
    head: list[bytes] = []
    try:
        head.extend(itertools.islice(lines, SNIFF_LINES))
    except OSError as exc:
        raise InputError(f"{name}: cannot read: {exc}") from exc
    if not b"".join(head).strip():
        return
    variant = sniff_text(b"".join(head))
    if variant is None:
        raise InputError(f"{name}: not a MARC text dump this reader knows "
                         "(MARC::Record as_formatted, Koha, yaz-marcdump line, MarcEdit .mrk)")
    yield from READERS[variant](itertools.chain(head, lines), name)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# Sniffing


def _line_variant(line: str) -> str | None:
    """The text form one line can only belong to, if any."""
    if re.match(rf"={_TAG}  ", line) or line.startswith("=LDR"):
        return "mrk"
    if line.startswith("LDR ") or _FMT_SUBFIELD.fullmatch(line):
        return "formatted"
    if line.startswith(("000 ", "_")):
        return "koha"
    if re.match(rf"{_TAG} .. _.", line):
        return "formatted"
    if re.match(rf"{_TAG} .. \$[0-9A-Za-z] ", line):
        return "yaz"
    if re.match(rf"{_TAG}(?: [^ _]{{1,2}}){{0,2}} _.", line):
        return "koha"
    if _YAZ_LEADER.fullmatch(line):
        return "yaz"
    return None


def sniff_text(head: bytes) -> str | None:
    """Which text form the first lines of an input are in: ``'formatted'``, ``'koha'``,
    ``'yaz'``, ``'mrk'``, or None."""
    text = head.decode("utf-8", "replace").lstrip("\ufeff")
    for line in text.split("\n")[:SNIFF_LINES]:
        variant = _line_variant(line.rstrip("\r"))
        if variant:
            return variant
    return None


# --------------------------------------------------------------------------------------------
# Writing


def indicator(value: str | None) -> str:
    """One indicator as written: a single character (pymarc may hold "" or "0 " from MARCXML)."""
    return (value or " ")[:1]


def write_formatted(record: Record) -> str:
    """One record as MARC::Record ``as_formatted()`` prints it, followed by a blank line.

    Values are written as they are: a value holding a line break reads back the same unless the
    text after the break looks like a field or subfield line, or is empty."""
    lines = [f"LDR {record.leader}"]
    for fld in record.fields:
        if fld.is_control_field():
            lines.append(f"{fld.tag}     {fld.data or ''}")
            continue
        hanger = f"{fld.tag} {indicator(fld.indicator1)}{indicator(fld.indicator2)}"
        if not fld.subfields:
            lines.append(hanger)
        for sub in fld.subfields:
            lines.append(f"{hanger:<6} _{sub.code}{sub.value}")
            hanger = ""
    return "\n".join(lines) + "\n\n"
