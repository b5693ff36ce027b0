"""Compact JSON-LD, one tree per record framed around its focus (the Work).

The contexts ship in the package (``contexts/bibframe.jsonld``: the profiles' prefixes;
``contexts/schema.jsonld``: the same with schema.org as ``@vocab``); one is inlined in each
document, or referred to by IRI (``context_iri``) where it is published. Properties and classes
are compact IRIs (``bf:title``) or, under an ``@vocab``, bare words (``name``), a node is
embedded where it is first
met walking from the Work (later references are ``{"@id": ...}``), and a blank node used once
carries no ``@id``. Literals keep their datatype (``{"@value": "1999", "@type": "xsd:date"}``)
and language.

Two layouts: ``jsonld`` writes one JSON-LD document whose ``@graph`` holds each record's tree
on a line of its own; ``jsonld-lines`` writes one complete compact document per line, for
search indexes.
"""

from __future__ import annotations

import json
import re
from importlib import resources

from marc2rdf.serialize.base import (
    RDF_TYPE,
    XSD_STRING,
    Format,
    Names,
    Triple,
    blank_references,
    group,
    split_literal,
)

_ANY_LOCAL = re.compile(r"(?!//).*", re.DOTALL)  # a compact IRI must not look like scheme://
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def _context_file(name: str):
    return resources.files("marc2rdf.serialize") / "contexts" / f"{name}.jsonld"


def load_context(name: str = "bibframe") -> dict:
    """A context shipped in ``marc2rdf/serialize/contexts/``."""
    return json.loads(_context_file(name).read_text(encoding="utf-8"))["@context"]


def context_for(profile: str) -> str:
    """The shipped context named as a profile (``schema``), else ``bibframe``."""
    return profile if _context_file(profile).is_file() else "bibframe"


class JsonLD(Format):
    name = "jsonld"
    extension = "jsonld"
    media_type = "application/ld+json"
    feature = "http://www.w3.org/ns/formats/JSON-LD"
    separator = b",\n"

    def __init__(self, prefixes: dict[str, str] | None = None, context: str = "bibframe",
                 context_iri: str | None = None):
        ctx = load_context(context)
        super().__init__({p: ns for p, ns in ctx.items() if p[0] != "@" and ns[-1:] in "/#"})
        self.context = context_iri or ctx
        self._names = Names(self.prefixes, _ANY_LOCAL)
        # with an @vocab, its terms are bare words (keys and types only: @vocab is not for @id)
        self._vocab = ctx.get("@vocab")
        self._words: dict[str, str] = {}
        self._reserved = set(ctx)
        self._head = '{"@context":' + _dumps(self.context)

    def header(self) -> bytes:
        return (self._head + ',"@graph":[\n').encode("utf-8")

    def footer(self) -> bytes:
        return b"\n]}\n"

    def record(self, triples: list[Triple], graph: str | None = None, focus: str | None = None) -> bytes:
        return ",\n".join(_dumps(tree) for tree in self.trees(triples, focus)).encode("utf-8")

    def trees(self, triples: list[Triple], focus: str | None) -> list[dict]:
        return _Frame(self, group(triples)).roots(focus)

    def iri(self, term: str) -> str:
        return self._names(term[1:-1]) or term[1:-1]

    def word(self, term: str) -> str:
        """A property or class: a bare word of the @vocab, else as :meth:`iri`."""
        word = self._words.get(term)
        if word is None:
            local = term[1:-1].removeprefix(self._vocab) if self._vocab else ""
            ok = local != term[1:-1] and _WORD.fullmatch(local) and local not in self._reserved
            word = local if ok else self.iri(term)
            if len(self._words) < Names.LIMIT:
                self._words[term] = word
        return word

    def value(self, term: str):
        if term[0] != '"':
            return {"@id": term if term[0] == "_" else self.iri(term)}
        text, lang, datatype = split_literal(term)
        if lang:
            return {"@value": text, "@language": lang}
        if datatype and datatype != XSD_STRING:
            return {"@value": text, "@type": self.word(f"<{datatype}>")}
        return text


class JsonLines(JsonLD):
    """One compact JSON-LD document per line."""

    name = "jsonld-lines"
    extension = "jsonl"
    media_type = "application/ld+json"
    separator = b""

    def header(self) -> bytes:
        return b""

    def footer(self) -> bytes:
        return b""

    def record(self, triples: list[Triple], graph: str | None = None, focus: str | None = None) -> bytes:
        trees = self.trees(triples, focus)
        rest = (_dumps(trees[0]) if len(trees) == 1 else _dumps({"@graph": trees}))[1:]  # after its "{"
        return (self._head + ("," if rest != "}" else "") + rest + "\n").encode("utf-8")


def _dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


class _Frame:
    """Embeds one record's nodes into trees, walking from the focus."""

    def __init__(self, fmt: JsonLD, subjects: dict[str, dict[str, list[str]]]):
        self.fmt = fmt
        self.subjects = subjects
        self.refs = blank_references(subjects)
        self.embedded: set[str] = set()

    def roots(self, focus: str | None) -> list[dict]:
        referenced = {o for preds in self.subjects.values() for objs in preds.values() for o in objs}
        order = [focus] if focus in self.subjects else []
        order += [s for s in self.subjects if s not in referenced]  # nothing points at them
        order += list(self.subjects)  # the rest (cycles no walk reached)
        return [self.node(s, top=True) for s in order if s not in self.embedded]

    def node(self, subject: str, top: bool = False) -> dict:
        self.embedded.add(subject)
        fmt = self.fmt
        tree: dict = {}
        if subject[0] != "_":
            tree["@id"] = fmt.iri(subject)
        elif self.refs.get(subject, 0) > (0 if top else 1):
            tree["@id"] = subject
        preds = self.subjects[subject]
        types = preds.get(RDF_TYPE, ())
        if types and all(o[0] == "<" for o in types):
            names = [fmt.word(o) for o in types]
            tree["@type"] = names[0] if len(names) == 1 else names
        for p, objs in preds.items():
            if p == RDF_TYPE and "@type" in tree:
                continue
            values = [self.node(o) if o in self.subjects and o not in self.embedded else fmt.value(o) for o in objs]
            tree[fmt.word(p)] = values[0] if len(values) == 1 else values
        return tree
