"""What every RDF syntax shares: the :class:`Format` interface and helpers on N-Triples terms.

A record's triples arrive as tuples of N-Triples term strings (``<iri>``, ``_:label``,
``"literal"@lang``, ``"literal"^^<datatype>``). A format turns one record's triples into bytes
(:meth:`Format.record`); a stream or a shard is ``header``, records joined by ``separator``,
``footer``. Formatting a record needs nothing but the record, so it runs wherever the record is
mapped (another process, another machine) and only bytes travel back.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from itertools import compress
from operator import itemgetter

from marc2rdf.vocab import PREFIXES

Triple = tuple[str, str, str]
RDF_TYPE = f"<{PREFIXES['rdf']}type>"
XSD_STRING = PREFIXES["xsd"] + "string"
_predicate = itemgetter(1)
_object = itemgetter(2)


class Format:
    """One RDF syntax. Subclasses set the class attributes and implement :meth:`record`."""

    name = ""
    extension = ""
    media_type = ""
    feature = ""  # the W3C IRI naming the syntax (void:feature)
    separator = b""  # between two records of one stream
    named = True  # whether :meth:`record` uses the record's graph and focus (else they are not computed)

    def __init__(self, prefixes: dict[str, str] | None = None):
        self.prefixes = dict(PREFIXES if prefixes is None else prefixes)

    def header(self) -> bytes:
        return b""

    def footer(self) -> bytes:
        return b""

    def record(self, triples: list[Triple], graph: str | None = None, focus: str | None = None) -> bytes:
        """One record's triples as bytes. ``graph`` is the record's graph IRI (``<...>``), used by
        quad formats; ``focus`` the node a tree-shaped syntax starts from (the Work)."""
        raise NotImplementedError


class Unwritable(ValueError):
    """A record this syntax cannot express (e.g. a control character in RDF/XML)."""


def group(triples: Iterable[Triple]) -> dict[str, dict[str, list[str]]]:
    """subject -> predicate -> objects, each in order of first appearance."""
    subjects: dict[str, dict[str, list[str]]] = {}
    last = preds = None
    for s, p, o in triples:
        if s is not last:  # a subject's triples mostly come together: look it up once a run
            last = s
            preds = subjects.get(s)
            if preds is None:
                preds = subjects[s] = {}
        if p in preds:  # type: ignore[operator]
            preds[p].append(o)  # type: ignore[index]
        else:  # most predicates of a subject come once
            preds[p] = [o]  # type: ignore[index]
    return subjects


def blank_objects(triples: Iterable[Triple]) -> list[str]:
    """The blank nodes that are objects, once per triple."""
    # terms start with "<", '"' or "_": only blank nodes sort from "_" on
    return list(filter("_".__le__, map(_object, triples)))


def used_once(blanks: list[str]) -> set[str]:
    """The blank nodes that appear once in ``blanks``."""
    once = set(blanks)
    if len(once) < len(blanks):  # some more than once
        once.difference_update([b for b, n in Counter(blanks).items() if n > 1])
    return once


_ESCAPE = re.compile(r'\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))')
_SIMPLE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(match: re.Match) -> str:
    code = match.group(1) or match.group(2)
    return chr(int(code, 16)) if code else _SIMPLE.get(match.group(3), match.group(3))


def split_literal(term: str) -> tuple[str, str | None, str | None]:
    """``"text"@lang`` / ``"text"^^<dt>`` / ``"text"`` -> (text, lang, datatype IRI)."""
    q = term.rindex('"')
    lexical = term[1:q]
    if "\\" in lexical:
        lexical = _ESCAPE.sub(_unescape, lexical)
    rest = term[q + 1 :]
    if not rest:
        return lexical, None, None
    if rest[0] == "@":
        return lexical, rest[1:], None
    return lexical, None, rest[3:-1]


def split_iri(iri: str) -> tuple[str, str]:
    """An IRI cut after its last ``#`` or ``/``: (namespace, local name)."""
    k = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: k + 1], iri[k + 1 :]


class Names:
    """Short names for IRIs from a prefix table, remembered (bounded) since the same predicates
    and classes come back in every record. ``valid`` says which local names the syntax allows."""

    LIMIT = 50_000

    def __init__(self, prefixes: dict[str, str], valid: re.Pattern, sep: str = ":"):
        self.by_namespace = {ns: p for p, ns in prefixes.items()}
        self.valid = valid
        self.sep = sep
        self._cache: dict[str, str | None] = {}
        self.short: dict[str, str] = {}  # ``<iri>`` -> its short name, or itself

    def bracketed(self, term: str) -> str:
        """The short name of an ``<iri>`` term, or the term itself (remembered in ``short``)."""
        if len(self.short) >= self.LIMIT:
            self.short.clear()
        short = self.short[term] = self(term[1:-1]) or term
        return short

    def __call__(self, iri: str) -> str | None:
        """``prefix:local`` for an IRI (without angle brackets), or None."""
        try:
            return self._cache[iri]
        except KeyError:
            pass
        ns, local = split_iri(iri)
        prefix = self.by_namespace.get(ns)
        short = f"{prefix}{self.sep}{local}" if prefix is not None and self.valid.fullmatch(local) else None
        if len(self._cache) >= self.LIMIT:
            self._cache.clear()
        self._cache[iri] = short
        return short


_NAMESPACES: dict[str, str] = {}  # ``<iri>`` -> its namespace: the same few terms in every record


def _namespace(term: str) -> str:
    ns = _NAMESPACES.get(term)
    if ns is None:
        if len(_NAMESPACES) >= Names.LIMIT:
            _NAMESPACES.clear()
        ns = _NAMESPACES[term] = split_iri(term[1:-1])[0]
    return ns


class Vocabularies:
    """The namespaces of the properties and classes records use (void:vocabulary), gathered over
    many records: each record adds its terms to two sets with C-level loops, and the terms are
    cut into namespaces once, when asked (:meth:`namespaces`)."""

    def __init__(self):
        self.properties: set[str] = set()
        self.types: set[str] = set()  # objects of rdf:type, IRIs or not

    def add(self, triples: list[Triple] | tuple[Triple, ...]) -> None:
        predicates = list(map(_predicate, triples))
        self.properties.update(predicates)
        if RDF_TYPE in self.properties:
            self.types.update(compress(map(_object, triples), map(RDF_TYPE.__eq__, predicates)))

    def namespaces(self) -> set[str]:
        terms = self.properties | {o for o in self.types if o[0] == "<"}
        return {_namespace(t) for t in terms}


def vocabularies(triples: Iterable[Triple]) -> set[str]:
    """The namespaces of the properties and classes a record uses (void:vocabulary)."""
    vocab = Vocabularies()
    vocab.add(triples if isinstance(triples, (list, tuple)) else list(triples))
    return vocab.namespaces()
