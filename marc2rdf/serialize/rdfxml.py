"""RDF/XML, by string formatting, for the BIBFRAME tools that still want it.

Namespaces are declared once on ``rdf:RDF``; a node is a typed element (``<bf:Work
rdf:about=...>``) when one of its classes has a prefix, and a blank node used once is nested in
the property that refers to it, as LC's converter writes them. What XML cannot carry (a control
character in a literal, a property whose IRI ends in no XML name) makes the record
:class:`~marc2rdf.serialize.base.Unwritable`.
"""

from __future__ import annotations

import re

from marc2rdf.serialize.base import (
    RDF_TYPE,
    Format,
    Names,
    Triple,
    Unwritable,
    blank_objects,
    group,
    split_iri,
    split_literal,
    used_once,
)
from marc2rdf.vocab import PREFIXES

_NCNAME = re.compile(r"[^\W\d][\w.\-]*")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTR = str.maketrans({"&": "&amp;", "<": "&lt;", '"': "&quot;", "\t": "&#9;", "\n": "&#10;", "\r": "&#13;"})
_PAD = "  "


def _checked(text: str) -> str:
    bad = _NOT_XML.search(text)
    if bad:
        raise Unwritable(f"character U+{ord(bad.group(0)):04X} cannot be written in XML")
    return text


def _text(text: str) -> str:
    return _checked(text).translate(_TEXT)


def _attr(text: str) -> str:
    return _checked(text).translate(_ATTR)


class RdfXml(Format):
    name = "xml"
    extension = "rdf"
    media_type = "application/rdf+xml"
    feature = "http://www.w3.org/ns/formats/RDF_XML"

    def __init__(self, prefixes: dict[str, str] | None = None):
        super().__init__(prefixes)
        self.prefixes.setdefault("rdf", PREFIXES["rdf"])
        self._qnames = Names(self.prefixes, _NCNAME)

    def header(self) -> bytes:
        ns = "".join(f'\n    xmlns:{p}="{_attr(iri)}"' for p, iri in self.prefixes.items())
        return f'<?xml version="1.0" encoding="UTF-8"?>\n<rdf:RDF{ns}>\n'.encode()

    def footer(self) -> bytes:
        return b"</rdf:RDF>\n"

    def record(self, triples: list[Triple], graph: str | None = None, focus: str | None = None) -> bytes:
        return _Block(self, triples).render(focus).encode("utf-8")

    def element(self, iri: str) -> str:
        """The element name of a property, declaring its namespace when it has no prefix."""
        qname = self._qnames(iri)
        if qname:
            return qname
        ns, local = split_iri(iri)
        if not ns or not _NCNAME.fullmatch(local):
            raise Unwritable(f"property <{iri}> has no XML element name")
        return f'ns0:{local} xmlns:ns0="{_attr(ns)}"'


def _node_id(label: str) -> str:
    if not _NCNAME.fullmatch(label[2:]):
        raise Unwritable(f"blank node {label} has no XML name")
    return label[2:]


class _Block:
    """One record's node elements."""

    def __init__(self, fmt: RdfXml, triples: list[Triple]):
        self.fmt = fmt
        self.subjects = group(triples)
        self.inline = used_once(blank_objects(triples))
        self.done: set[str] = set()

    def render(self, focus: str | None) -> str:
        order = list(self.subjects)
        if focus in self.subjects:
            order.remove(focus)
            order.insert(0, focus)
        out = [self.node(s, 1) for s in order if s not in self.inline and s not in self.done]
        for s in order:  # blank nodes in a cycle
            if s not in self.done:
                self.inline.discard(s)
                out.append(self.node(s, 1))
        return "".join(out)

    def node(self, subject: str, depth: int, nested: bool = False) -> str:
        self.done.add(subject)
        preds = self.subjects.get(subject, {})
        types = list(preds.get(RDF_TYPE, ()))
        name = "rdf:Description"
        for t in types:
            qname = self.fmt._qnames(t[1:-1]) if t[0] == "<" else None
            if qname:
                name = qname
                types.remove(t)
                break
        if subject[0] == "<":
            name_attrs = f'{name} rdf:about="{_attr(subject[1:-1])}"'
        else:
            name_attrs = name if nested else f'{name} rdf:nodeID="{_node_id(subject)}"'
        pad = _PAD * depth
        lines = [self.property(RDF_TYPE, t, depth + 1) for t in types]
        for p, objs in preds.items():
            if p != RDF_TYPE:
                lines.extend(self.property(p, o, depth + 1) for o in objs)
        if not lines:
            return f"{pad}<{name_attrs}/>\n"
        return f"{pad}<{name_attrs}>\n" + "".join(lines) + f"{pad}</{name}>\n"

    def property(self, predicate: str, obj: str, depth: int) -> str:
        pad = _PAD * depth
        element = self.fmt.element(predicate[1:-1])
        name = element.split(" ", 1)[0]
        if obj[0] == "<":
            return f'{pad}<{element} rdf:resource="{_attr(obj[1:-1])}"/>\n'
        if obj[0] == "_":
            if obj in self.inline and obj not in self.done:
                return f"{pad}<{element}>\n{self.node(obj, depth + 1, nested=True)}{pad}</{name}>\n"
            return f'{pad}<{element} rdf:nodeID="{_node_id(obj)}"/>\n'
        text, lang, datatype = split_literal(obj)
        if lang:
            return f'{pad}<{element} xml:lang="{lang}">{_text(text)}</{name}>\n'
        if datatype:
            return f'{pad}<{element} rdf:datatype="{_attr(datatype)}">{_text(text)}</{name}>\n'
        return f"{pad}<{element}>{_text(text)}</{name}>\n"
