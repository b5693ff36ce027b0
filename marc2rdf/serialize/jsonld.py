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
from json.encoder import encode_basestring as _string  # as json.dumps writes a str (ensure_ascii=False)
from operator import itemgetter

from marc2rdf.serialize.base import (
    RDF_TYPE,
    XSD_STRING,
    Format,
    Names,
    Triple,
    blank_objects,
    group,
    split_literal,
    used_once,
)

_ANY_LOCAL = re.compile(r"(?!//).*", re.DOTALL)  # a compact IRI must not look like scheme://
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_object = itemgetter(2)


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
        self._quoted: dict[str, str] = {}  # ``<iri>`` of a property or class -> its word as JSON text
        self._ids: dict[str, str] = {}  # ``<iri>`` of an object -> ``{"@id":...}`` as JSON text
        self._reserved = set(ctx)
        self._head = '{"@context":' + _dumps(self.context)

    def header(self) -> bytes:
        return (self._head + ',"@graph":[\n').encode("utf-8")

    def footer(self) -> bytes:
        return b"\n]}\n"

    def record(self, triples: list[Triple], graph: str | None = None, focus: str | None = None) -> bytes:
        return ",\n".join(self.trees(triples, focus)).encode("utf-8")

    def trees(self, triples: list[Triple], focus: str | None) -> list[str]:
        """The record's trees, each as compact JSON text."""
        return _Frame(self, triples).roots(focus)

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

    def quoted(self, term: str) -> str:
        """:meth:`word` as JSON text (a key, a type)."""
        quoted = self._quoted.get(term)
        if quoted is None:
            quoted = _string(self.word(term))
            if len(self._quoted) < Names.LIMIT:
                self._quoted[term] = quoted
        return quoted

    def value(self, term: str) -> str:
        """An object not embedded, as JSON text: a node reference or a literal's value."""
        first = term[0]
        if first == "<":
            ref = self._ids.get(term)
            if ref is None:
                ref = '{"@id":' + _string(self.iri(term)) + "}"
                if len(self._ids) < Names.LIMIT:
                    self._ids[term] = ref
            return ref
        if first == "_":
            return '{"@id":' + _string(term) + "}"
        if term[-1] == '"' and "\\" not in term:  # a plain literal with nothing to unescape
            return _string(term[1:-1])
        text, lang, datatype = split_literal(term)
        if lang:
            return '{"@value":' + _string(text) + ',"@language":' + _string(lang) + "}"
        if datatype and datatype != XSD_STRING:
            return '{"@value":' + _string(text) + ',"@type":' + _string(self.word(f"<{datatype}>")) + "}"
        return _string(text)


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
        rest = (trees[0] if len(trees) == 1 else '{"@graph":[' + ",".join(trees) + "]}")[1:]  # after its "{"
        return (self._head + ("," if rest != "}" else "") + rest + "\n").encode("utf-8")


def _dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


class _Frame:
    """Embeds one record's nodes into trees, walking from the focus, and writes each tree as
    compact JSON text directly: the text ``json.dumps`` gives for the tree as a dict (``{}``
    members in insertion order), without building the dicts and walking them again. No two
    members of a node share a key: ``@id``, ``@type``, and one per predicate, whose compact forms
    differ (a bare word has no ``:``, a compact IRI or a full one has)."""

    def __init__(self, fmt: JsonLD, triples: list[Triple]):
        self.fmt = fmt
        self.subjects = group(triples)
        self.objects = set(map(_object, triples))
        self.once = used_once(blank_objects(triples))
        self.embedded: set[str] = set()

    def roots(self, focus: str | None) -> list[str]:
        order = [focus] if focus in self.subjects else []
        order += [s for s in self.subjects if s not in self.objects]  # nothing points at them
        order += list(self.subjects)  # the rest (cycles no walk reached)
        return [self.node(s, top=True) for s in order if s not in self.embedded]

    def node(self, subject: str, top: bool = False) -> str:
        self.embedded.add(subject)
        fmt = self.fmt
        # "key:value" members, as JSON text: each key comes once (the @id, the @type, then one per
        # predicate: no two predicates have the same compact form)
        if subject[0] != "_":
            members = ['"@id":' + _string(fmt.iri(subject))]
        elif subject in self.objects if top else subject not in self.once:  # referred to (again)
            members = ['"@id":' + _string(subject)]
        else:
            members = []
        preds = self.subjects[subject]
        words = fmt._quoted
        types = preds.get(RDF_TYPE)
        typed = False
        if types is not None:
            if len(types) == 1:
                o = types[0]
                if o[0] == "<":
                    typed = True
                    members.append('"@type":' + (words.get(o) or fmt.quoted(o)))
            elif all(o[0] == "<" for o in types):
                typed = True
                members.append('"@type":[' + ",".join([words.get(o) or fmt.quoted(o) for o in types]) + "]")
        value, subjects, embedded, node, ids = fmt.value, self.subjects, self.embedded, self.node, fmt._ids
        for p, objs in preds.items():
            if typed and p == RDF_TYPE:
                continue
            if len(objs) == 1:  # most properties: no list to make
                o = objs[0]
                if o[0] == '"':  # a literal (a plain one written here as value() writes it)
                    text = _string(o[1:-1]) if o[-1] == '"' and "\\" not in o else value(o)
                elif o in subjects and o not in embedded:
                    text = node(o)
                else:  # a reference: an IRI's is remembered by value()
                    text = ids.get(o) or value(o)
            else:
                text = "[" + ",".join([node(o) if o in subjects and o not in embedded else value(o)
                                       for o in objs]) + "]"
            members.append((words.get(p) or fmt.quoted(p)) + ":" + text)
        return "{" + ",".join(members) + "}"
