"""Turtle that reads well, by string formatting (no RDF library on the hot path).

The prefixes are declared once; each record is a block: its focus (the Work) first, then the
other subjects in order of appearance, ``a`` for ``rdf:type``, prefixed names wherever the local
name allows, and a blank node used once written in place as ``[ ... ]``.
"""

from __future__ import annotations

import re

from marc2rdf.serialize.base import RDF_TYPE, Format, Names, Triple, blank_references, group

# PN_LOCAL, ASCII only (other names stay full IRIs): no leading '-' or '.', no trailing '.'
_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?")
_INDENT = "    "
_WIDTH = 80


class Turtle(Format):
    name = "turtle"
    extension = "ttl"
    media_type = "text/turtle"
    feature = "http://www.w3.org/ns/formats/Turtle"

    def __init__(self, prefixes: dict[str, str] | None = None):
        super().__init__(prefixes)
        self._names = Names(self.prefixes, _LOCAL)

    def header(self) -> bytes:
        return ("".join(f"@prefix {p}: <{ns}> .\n" for p, ns in self.prefixes.items()) + "\n").encode("utf-8")

    def record(self, triples: list[Triple], graph: str | None = None, focus: str | None = None) -> bytes:
        return _Block(self, group(triples)).render(focus).encode("utf-8")

    def term(self, term: str) -> str:
        first = term[0]
        if first == "<":
            return self._names.short.get(term) or self._names.bracketed(term)
        if first == '"' and term[-1] == ">":  # a typed literal: shorten its datatype
            q = term.rindex('"')
            return term[: q + 3] + self.term(term[q + 3 :])
        return term


class _Block:
    """One record's statements."""

    def __init__(self, fmt: Turtle, subjects: dict[str, dict[str, list[str]]]):
        self.fmt = fmt
        self.subjects = subjects
        refs = blank_references(subjects)
        self.inline = {b for b, n in refs.items() if n == 1}
        self.done: set[str] = set()

    def render(self, focus: str | None) -> str:
        order = list(self.subjects)
        if focus in self.subjects:
            order.remove(focus)
            order.insert(0, focus)
        out = [self.statement(s) for s in order if s not in self.inline and s not in self.done]
        # blank nodes referring to each other in a cycle: start from one of them, by its label
        for s in order:
            if s not in self.done:
                self.inline.discard(s)
                out.append(self.statement(s))
        return "".join(out) + "\n"

    def statement(self, subject: str) -> str:
        self.done.add(subject)
        return f"{self.fmt.term(subject)} {self.properties(subject, 1)} .\n"

    def properties(self, subject: str, depth: int) -> str:
        preds = self.subjects.get(subject, {})
        parts = []
        if RDF_TYPE in preds:
            parts.append("a " + self.objects(preds[RDF_TYPE], depth))
        for p, objs in preds.items():
            if p != RDF_TYPE:
                parts.append(f"{self.fmt.term(p)} " + self.objects(objs, depth))
        return (" ;\n" + _INDENT * depth).join(parts)

    def objects(self, objs: list[str], depth: int) -> str:
        terms = [self.obj(o, depth) for o in objs]
        text = ", ".join(terms)
        if len(text) > _WIDTH and "\n" not in text:  # a long list: one object a line
            text = (",\n" + _INDENT * (depth + 1)).join(terms)
        return text

    def obj(self, term: str, depth: int) -> str:
        if term[0] == "_" and term in self.inline and term not in self.done:
            self.done.add(term)
            if term not in self.subjects:
                return "[]"
            pad = _INDENT * depth
            return f"[\n{pad}{_INDENT}{self.properties(term, depth + 1)}\n{pad}]"
        return self.fmt.term(term)
