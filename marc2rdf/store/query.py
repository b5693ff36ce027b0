"""SPARQL 1.1 queries on the embedded store or on an endpoint, and their results as text.

The profiles' prefixes (``marc2rdf.vocab.PREFIXES``, plus ``void:`` and ``dcterms:`` of the
dataset description) are declared for every query. On the embedded store the default graph is
the union of the named graphs; an endpoint's default graph is what its server makes it.
"""

from __future__ import annotations

import re
from typing import BinaryIO

import pyoxigraph as ox
import requests

from marc2rdf.readers.base import InputError
from marc2rdf.store.writer import DCTERMS, VOID, StoreError
from marc2rdf.vocab import PREFIXES

QUERY_PREFIXES = {**PREFIXES, "void": VOID, "dcterms": DCTERMS}
RESULT_FORMATS = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}
RDF_FORMATS = {
    "nt": ox.RdfFormat.N_TRIPLES,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "turtle": ox.RdfFormat.TURTLE,
    "ttl": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "n3": ox.RdfFormat.N3,
}
FORMATS = ("table", *RESULT_FORMATS, *RDF_FORMATS)
_LOCAL = re.compile(r"[A-Za-z_][\w.-]*$")


def query_text(arg: str) -> str:
    """The query itself, or the content of the file named after ``@``."""
    if not arg.startswith("@"):
        return arg
    try:
        with open(arg[1:], encoding="utf-8") as fh:
            return fh.read()
    except OSError as exc:
        raise InputError(f"{arg[1:]}: cannot read: {exc.strerror or exc}") from exc


def query(store: ox.Store, sparql: str):
    """Results of ``sparql`` on an embedded store: solutions, a boolean or triples."""
    try:
        return store.query(sparql, prefixes=QUERY_PREFIXES, use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise InputError(f"query: {exc}") from None


def query_endpoint(url: str, sparql: str, session: requests.Session | None = None, timeout: float = 300):
    """Results of ``sparql`` from a SPARQL 1.1 query endpoint (the prefixes declared in front)."""
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in QUERY_PREFIXES.items())
    accept = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"
    try:
        resp = (session or requests).post(url, data={"query": prologue + sparql}, timeout=timeout,
                                          headers={"Accept": accept})
    except requests.RequestException as exc:
        raise StoreError(f"{url}: {type(exc).__name__}: {exc}") from exc
    if resp.status_code >= 300:
        raise StoreError(f"{url}: HTTP {resp.status_code} {resp.reason}: {resp.text.strip()[:500]}")
    media = resp.headers.get("Content-Type", "").split(";")[0].strip()
    if media == "application/sparql-results+json":
        return ox.parse_query_results(resp.content, format=ox.QueryResultsFormat.JSON)
    fmt = ox.RdfFormat.from_media_type(media)
    if fmt is None:
        raise StoreError(f"{url}: unexpected answer of type {media!r}")
    return [q.triple for q in ox.parse(resp.content, format=fmt)]


def write_results(results, fmt: str, out: BinaryIO) -> None:
    """Writes results in ``fmt`` (``table`` is for people)."""
    if isinstance(results, (ox.QueryBoolean, ox.QuerySolutions)):
        if fmt in RDF_FORMATS:
            raise InputError(f"SELECT and ASK give results: --format table, {', '.join(RESULT_FORMATS)}")
        if fmt != "table":
            out.write(results.serialize(format=RESULT_FORMATS[fmt]))
        elif isinstance(results, ox.QueryBoolean):
            out.write(b"true\n" if results else b"false\n")
        else:
            _table(results, out)
        return
    if fmt in RESULT_FORMATS:
        raise InputError(f"CONSTRUCT and DESCRIBE give RDF: --format {', '.join(RDF_FORMATS)}")
    triples = list(results)
    used = {str(t) for tr in triples for t in (tr.subject, tr.predicate, tr.object)}
    prefixes = {p: ns for p, ns in QUERY_PREFIXES.items() if any(u.startswith("<" + ns) for u in used)}
    out.write(ox.serialize(triples, format=RDF_FORMATS.get(fmt, ox.RdfFormat.TURTLE), prefixes=prefixes))


def compact(term) -> str:
    """A term as a person reads it: ``bf:Work``, a literal's text, ``_:b1``; unbound is empty."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for p, ns in QUERY_PREFIXES.items():
            if term.value.startswith(ns) and _LOCAL.match(term.value[len(ns):]):
                return f"{p}:{term.value[len(ns):]}"
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        return term.value + (f"@{term.language}" if term.language else "")
    return str(term)


def _table(solutions: ox.QuerySolutions, out: BinaryIO) -> None:
    names = [v.value for v in solutions.variables]
    rows = [[compact(row[n]) for n in names] for row in solutions]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    lines = ["  ".join(n.ljust(w) for n, w in zip(names, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
    out.write(("\n".join(lines) + "\n").encode("utf-8"))
