"""Turtle that reads well, by string formatting (no RDF library on the hot path).

The prefixes are declared once; each record is a block: its focus (the Work) first, then the
other subjects in order of appearance, ``a`` for ``rdf:type``, prefixed names wherever the local
name allows, and a blank node used once written in place as ``[ ... ]``.
"""

from __future__ import annotations

import re

from marc2rdf.serialize.base import RDF_TYPE, Format, Names, Triple, blank_objects, group, used_once

# PN_LOCAL, ASCII only (other names stay full IRIs): no leading '-' or '.', no trailing '.'
_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?")
_INDENT = "    "
_WIDTH = 80
_SEPARATORS = tuple(" ;\n" + _INDENT * depth for depth in range(8))  # between a subject's properties


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
        return _Block(self, triples).render(focus).encode("utf-8")

    def term(self, term: str) -> str:
        first = term[0]
        if first == "<":
            return self._names.short.get(term) or self._names.bracketed(term)
        if first == '"' and term[-1] == ">":  # a typed literal: shorten its datatype
            q = term.rindex('"')
            return term[: q + 3] + self.term(term[q + 3 :])
        return term


class _Block:
    """One record's statements. The objects are written in a loop of their own rather than a call
    each (a record has a hundred or so), with the same result as :meth:`Turtle.term`."""

    def __init__(self, fmt: Turtle, triples: list[Triple]):
        self.term = fmt.term
        self.short = fmt._names.short
        self.subjects = group(triples)
        self.inline = used_once(blank_objects(triples))
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
        return f"{self.term(subject)} {self.properties(subject, 1)} .\n"

    def properties(self, subject: str, depth: int) -> str:
        preds = self.subjects.get(subject, {})
        short, term = self.short, self.term
        types = preds.get(RDF_TYPE)
        if types is None:
            parts = []
        elif len(types) == 1 and types[0][0] == "<":  # one class: as objects() writes it, without the call
            parts = ["a " + (short.get(types[0]) or term(types[0]))]
        else:
            parts = ["a " + self.objects(types, depth)]
        for p, objs in preds.items():
            if p == RDF_TYPE:
                continue
            o = objs[0]
            if len(objs) > 1:
                text = self.objects(objs, depth)
            elif o[0] == "_":  # one blank node: in place if used once, as objects() writes it
                text = self.nested(o, depth) if o in self.inline and o not in self.done else o
            elif o[0] == "<":  # most predicates have one IRI or literal: as objects() writes it, without the call
                text = short.get(o) or term(o)
            else:
                text = term(o) if o[-1] == ">" else o
            parts.append((short.get(p) or term(p)) + " " + text)
        return parts[0] if len(parts) == 1 else _SEPARATORS[depth].join(parts) if depth < 8 else \
            (" ;\n" + _INDENT * depth).join(parts)

    def objects(self, objs: list[str], depth: int) -> str:
        short, inline = self.short, self.inline
        terms = []
        for o in objs:
            first = o[0]
            if first == "<":
                terms.append(short.get(o) or self.term(o))
            elif first == '"':
                terms.append(self.term(o) if o[-1] == ">" else o)
            elif o in inline and o not in self.done:
                terms.append(self.nested(o, depth))
            else:
                terms.append(o)
        if len(terms) == 1:  # one object: the same on one line or not
            return terms[0]
        text = ", ".join(terms)
        if len(text) > _WIDTH and "\n" not in text:  # a long list: one object a line
            text = (",\n" + _INDENT * (depth + 1)).join(terms)
        return text

    def nested(self, blank: str, depth: int) -> str:
        """A blank node used once, in place."""
        self.done.add(blank)
        if blank not in self.subjects:
            return "[]"
        pad = _INDENT * depth
        return f"[\n{pad}{_INDENT}{self.properties(blank, depth + 1)}\n{pad}]"
