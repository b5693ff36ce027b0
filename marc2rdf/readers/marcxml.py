"""MARCXML: one record, a collection, or records wrapped in SRU / OAI-PMH responses.

Streamed with lxml's ``iterparse`` (constant memory: each record element is freed once read),
namespaced or not, with entity expansion, DTD loading and network access all off.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import BinaryIO
from xml.sax.saxutils import escape, quoteattr

from lxml import etree
from pymarc import Indicators, Record, Subfield

from marc2rdf.readers.base import (
    Item,
    Position,
    Read,
    Reject,
    control_field,
    data_field,
    new_field,
    new_record,
)

MARC_NS = "http://www.loc.gov/MARC21/slim"


def _local(tag) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


class _Recorder:
    """A file wrapper that keeps the bytes read since the start of the current record, so the
    part of a document after a syntax error can still go to the reject file."""

    def __init__(self, stream: BinaryIO):
        self._stream = stream
        self.chunks: list[bytes] = []

    def read(self, n: int = -1) -> bytes:
        data = self._stream.read(n)
        if data:
            self.chunks.append(data)
        return data

    def forget(self) -> None:
        # keep only the last chunk: the record being parsed starts in it or in the next one
        del self.chunks[:-1]

    def rest(self) -> bytes:
        return b"".join(self.chunks) + self._stream.read()


def _build(elem, repairs: list[str]) -> Record | None:
    """A pymarc Record from a MARC ``record`` element; ValueError when it cannot be one; None
    when the element holds no MARC data (no leader, controlfield or datafield child)."""
    fields: list = []
    append = fields.append
    leader = None
    marc = False
    kinds = _KINDS
    # the data fields, most of the children, picked out by lxml itself (as the children that
    # _kind names datafield): the name of each need not be made a Python string and looked up
    datafields = set(elem.iterchildren(_DATAFIELD))
    for child in elem:
        if child in datafields:
            marc = True
            tag = child.get("tag")
            if not tag:
                raise ValueError(f"line {child.sourceline}: datafield without a tag")
            subfields = []
            for sf in child.iterchildren(_SUBFIELD):  # the children _kind names subfield
                code = sf.get("code")
                if not code:  # None or ""
                    raise ValueError(f"line {sf.sourceline}: subfield of {tag} without a code")
                text = sf.text or ""
                if not text.isascii():
                    text = _normalize("NFC", text)
                subfields.append(_tuple_new(Subfield, (code, text)))
            ind1 = child.get("ind1") or " "
            ind2 = child.get("ind2") or " "
            if len(ind1) != 1 or len(ind2) != 1:
                ind1 = _indicator(child, "ind1", tag, repairs)
                ind2 = _indicator(child, "ind2", tag, repairs)
            tag = tag.strip()
            if len(tag) == 3 and not (tag < "010" and tag.isdigit()):
                # what new_field makes of a three-character tag that is not a control tag
                append(data_field(tag, _tuple_new(Indicators, (ind1, ind2)), subfields))
            else:
                append(new_field(tag, ind1, ind2, subfields))
            continue
        name = kinds.get(child.tag) or _kind(child.tag)
        if name == "controlfield":
            marc = True
            tag = child.get("tag")
            if not tag:
                raise ValueError(f"line {child.sourceline}: controlfield without a tag")
            tag = tag.strip()
            text = child.text or ""
            if not text.isascii():
                text = _normalize("NFC", text)
            if len(tag) == 3 and tag < "010" and tag.isdigit():
                append(control_field(tag, text))  # what new_field makes of a control tag
            else:
                append(new_field(tag, data=text))
        elif name == "leader":
            marc = True
            leader = child.text or ""
    if not marc:
        return None
    record = new_record(_leader(leader, repairs))
    record.fields = fields
    return record


_tuple_new = tuple.__new__
_normalize = unicodedata.normalize
# lxml's patterns for a local name in any namespace or none, which match the elements that
# _kind gives that name (not comments, processing instructions, entities, nor a name with an
# undeclared prefix, which lxml keeps whole)
_DATAFIELD = "{*}datafield"
_SUBFIELD = "{*}subfield"
# the local name of each element tag met (``{namespace}name`` or ``name``; "" for comments,
# processing instructions and entities), so that it is worked out once per document kind
_KINDS: dict = {}


def _kind(tag) -> str:
    name = _local(tag)
    if len(_KINDS) < 256:
        _KINDS[tag] = name
    return name


def _indicator(elem, attr: str, tag: str, repairs: list[str]) -> str:
    value = elem.get(attr) or " "
    if len(value) != 1:
        repairs.append(f"{tag} {attr} {value!r} cut to one character")
        value = value[:1]
    return value


def _leader(leader: str | None, repairs: list[str]) -> str:
    if leader is None:
        repairs.append("no leader: a blank one was made")
        leader = "         a22        4500"
    if len(leader) != 24:
        repairs.append(f"leader of {len(leader)} characters fixed to 24")
        leader = (leader + " " * 24)[:24]
    if leader[9] != "a":
        # the XML is Unicode whatever leader/09 says
        leader = leader[:9] + "a" + leader[10:]
    return leader


def read_marcxml(stream: BinaryIO, name: str) -> Iterator[Item]:
    recorder = _Recorder(stream)
    parser = etree.iterparse(
        recorder,
        events=("start", "end"),
        tag="{*}record",
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=True,
        remove_comments=True,
    )
    ordinal = 0
    open_line = 1
    found = 0  # MARC records met so far
    found_at_start: list[int] = []  # the value of `found` when each open <record> started
    tostring = etree.tostring
    try:
        for event, elem in parser:
            if event == "start":
                open_line = elem.sourceline or open_line
                found_at_start.append(found)
                continue
            had_inner = found_at_start.pop() != found
            repairs: list[str] = []
            try:
                record = _build(elem, repairs)
            except ValueError as exc:
                found += 1
                ordinal += 1
                yield Reject(
                    Position(name, ordinal, line=elem.sourceline),
                    tostring(elem, encoding="utf-8"),
                    str(exc),
                    _control_number(elem),
                )
            else:
                if record is None:
                    if not had_inner:  # neither MARC nor a wrapper of MARC: say so, keep it
                        ordinal += 1
                        yield Reject(
                            Position(name, ordinal, line=elem.sourceline),
                            tostring(elem, encoding="utf-8"),
                            "<record> holds no MARC data (no leader, controlfield or datafield)",
                        )
                    _free(elem)
                    continue
                found += 1
                ordinal += 1
                yield Read(record, Position(name, ordinal, line=elem.sourceline),
                           tostring(elem, encoding="utf-8"), tuple(repairs))
            _free(elem)
            recorder.forget()
        if ordinal == 0:
            yield Reject(Position(name, 1, line=1), recorder.rest(), "no MARC <record> element in this XML document")
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or open_line
        raw = recorder.rest()
        yield Reject(
            Position(name, ordinal + 1, line=line),
            raw,
            f"XML is not well-formed: {exc.msg}; nothing after this point can be read",
        )


def _free(elem) -> None:
    """Drop a finished element and the finished siblings before it: memory stays flat."""
    elem.clear(keep_tail=True)
    parent = elem.getparent()
    if parent is not None:
        while elem.getprevious() is not None:
            del parent[0]


def _control_number(elem) -> str | None:
    for child in elem:
        if _local(child.tag) == "controlfield" and child.get("tag") == "001":
            return (child.text or "").strip() or None
    return None


# -- writing ---------------------------------------------------------------------------------

# characters XML 1.0 cannot carry at all; MARC data rarely has them, but must not make bad XML
_XML_ILLEGAL = {
    c: "\ufffd" for c in list(range(0x00, 0x09)) + [0x0B, 0x0C] + list(range(0x0E, 0x20)) + [0xFFFE, 0xFFFF]
}


def _text(value: str) -> str:
    # a CR written as itself is read back as LF (XML normalizes line ends): write a reference
    return escape(value.translate(_XML_ILLEGAL), {"\r": "&#13;"})


def write_marcxml(record: Record) -> bytes:
    """One ``<record>`` element (the registry wraps records in a ``<collection>``)."""
    out = ["  <record>\n", f"    <leader>{_text(str(record.leader))}</leader>\n"]
    for field in record.fields:
        tag = quoteattr(field.tag)
        if field.is_control_field():
            out.append(f"    <controlfield tag={tag}>{_text(field.data or '')}</controlfield>\n")
            continue
        ind1, ind2 = field.indicators or (" ", " ")
        out.append(f"    <datafield tag={tag} ind1={quoteattr(ind1 or ' ')} ind2={quoteattr(ind2 or ' ')}>\n")
        for sf in field.subfields:
            out.append(f"      <subfield code={quoteattr(sf.code)}>{_text(sf.value)}</subfield>\n")
        out.append("    </datafield>\n")
    out.append("  </record>\n")
    return "".join(out).encode("utf-8")
