"""schema.org 30.0 as the tests read it: its terms, class hierarchy, enumeration members and the
``domainIncludes`` / ``rangeIncludes`` of its properties; and a checker for one record's triples.

Literal ranges: a plain or language-tagged literal is a ``Text``; ``xsd:date``, ``xsd:gYear`` and
``xsd:gYearMonth`` a ``Date`` (ISO 8601, reduced precision allowed); ``xsd:dateTime`` a ``DateTime``;
``xsd:integer`` an ``Integer`` (so a ``Number``); ``xsd:decimal`` / ``xsd:double`` a ``Number``; ``xsd:boolean``
a ``Boolean``. An IRI is a ``URL`` where the range allows one and the graph gives it no type; an IRI the graph
types must have a type within the range. Lexical forms are checked too (rdflib does not check ``xsd:gYear``).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

import rdflib
from rdflib import RDF, RDFS

from support import DATA

S = "https://schema.org/"
VOCAB = DATA / "vocab" / "schemaorg-30.0-current-https.ttl"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = str(RDF.type)

LITERAL_CLASS = {
    None: "Text",
    XSD + "string": "Text",
    XSD + "date": "Date",
    XSD + "gYear": "Date",
    XSD + "gYearMonth": "Date",
    XSD + "dateTime": "DateTime",
    XSD + "integer": "Integer",
    XSD + "decimal": "Number",
    XSD + "double": "Number",
    XSD + "boolean": "Boolean",
    XSD + "anyURI": "URL",
}
LEXICAL = {
    XSD + "date": re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"),
    XSD + "gYear": re.compile(r"^\d{4}$"),
    XSD + "gYearMonth": re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"),
    XSD + "integer": re.compile(r"^-?\d+$"),
}
_LITERAL = re.compile(r'^"(?P<text>(?:[^"\\]|\\.)*)"(?:@(?P<lang>[A-Za-z0-9-]+)|\^\^<(?P<dt>[^>]*)>)?$')


class Vocabulary:
    def __init__(self):
        g = rdflib.Graph()
        g.parse(VOCAB, format="turtle")
        local = lambda t: str(t)[len(S):] if str(t).startswith(S) else str(t)  # noqa: E731
        self.classes = {local(s) for s in g.subjects(RDF.type, RDFS.Class) if str(s).startswith(S)}
        self.properties = {local(s) for s in g.subjects(RDF.type, RDF.Property) if str(s).startswith(S)}
        self.superseded = {local(s) for s in g.subjects(rdflib.URIRef(S + "supersededBy"), None)}
        parents: dict[str, set[str]] = {}
        for s, o in g.subject_objects(RDFS.subClassOf):
            parents.setdefault(local(s), set()).add(local(o))
        self._parents = parents
        self.members = {}  # enumeration member -> its classes
        for s, o in g.subject_objects(RDF.type):
            if str(s).startswith(S) and local(o) in self.classes and local(s) not in self.classes:
                self.members.setdefault(local(s), set()).add(local(o))
        self.domains = {p: set() for p in self.properties}
        self.ranges = {p: set() for p in self.properties}
        for s, o in g.subject_objects(rdflib.URIRef(S + "domainIncludes")):
            self.domains.setdefault(local(s), set()).add(local(o))
        for s, o in g.subject_objects(rdflib.URIRef(S + "rangeIncludes")):
            self.ranges.setdefault(local(s), set()).add(local(o))
        self.terms = self.classes | self.properties | set(self.members)

    @cache  # noqa: B019 - one vocabulary per process
    def ancestors(self, cls: str) -> frozenset[str]:
        """The class and all its superclasses."""
        seen, todo = {cls}, [cls]
        while todo:
            for p in self._parents.get(todo.pop(), ()):
                if p not in seen:
                    seen.add(p)
                    todo.append(p)
        return frozenset(seen)

    def fits(self, classes, allowed: set[str]) -> bool:
        return any(self.ancestors(c) & allowed for c in classes)


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    return Vocabulary()


def local(term: str) -> str | None:
    """The schema.org local name of an N-Triples IRI term, or None."""
    if term.startswith(f"<{S}"):
        return term[len(S) + 1:-1]
    return None


def check(triples, voc: Vocabulary | None = None) -> tuple[list[str], list[str]]:
    """(undefined or superseded schema.org terms, domain/range violations) for one record's triples."""
    voc = voc or vocabulary()
    types: dict[str, set[str]] = {}
    for s, p, o in triples:
        if p == f"<{RDF_TYPE}>":
            types.setdefault(s, set()).add(local(o) or o)
    undefined, violations = [], []
    for s, p, o in triples:
        if p == f"<{RDF_TYPE}>":
            name = local(o)
            if o.startswith(f"<{S}") and (name not in voc.classes or name in voc.superseded):
                undefined.append(o)
            continue
        prop = local(p)
        if prop is None:
            continue
        if prop not in voc.properties or prop in voc.superseded:
            undefined.append(p)
            continue
        if not voc.fits(types.get(s, ()), voc.domains[prop]):
            violations.append(f"domain: {s} {p} {o} (subject types {sorted(types.get(s, ()))})")
        allowed = voc.ranges[prop]
        if o.startswith('"'):
            m = _LITERAL.match(o)
            dt = m and m["dt"]
            cls = LITERAL_CLASS.get(dt, "?")
            if not m or not voc.fits([cls], allowed):
                violations.append(f"range: {s} {p} {o} (a {cls}; range {sorted(allowed)})")
            elif dt in LEXICAL and not LEXICAL[dt].match(m["text"]):
                violations.append(f"lexical form: {s} {p} {o}")
        elif o in types:
            if not voc.fits(types[o], allowed):
                violations.append(f"range: {s} {p} {o} (object types {sorted(types[o])}; range {sorted(allowed)})")
        elif local(o) in voc.members:
            if not voc.fits(voc.members[local(o)], allowed):
                violations.append(f"range: {s} {p} {o} (a member of {sorted(voc.members[local(o)])})")
        elif "URL" not in allowed:
            violations.append(f"range: {s} {p} {o} (an untyped IRI; range {sorted(allowed)})")
    for term in {t for triple in triples for t in triple if t.startswith(f"<{S}")}:
        name = local(term)
        if name not in voc.terms and term not in undefined:
            undefined.append(term)
    return undefined, violations
