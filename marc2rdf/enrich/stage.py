"""The enrichment stage: for a batch of mapped triples, collect the distinct headings, resolve
each once, and return the link triples to add.

Headings are the nodes typed as agents (``bf:Person``, ``bf:Family``, ``bf:Organization``,
``bf:Jurisdiction``, ``bf:Meeting``, ``bf:Agent``), topics and places, with their ``rdfs:label``
and, for subjects, the thesaurus of their ``bf:source``. A node that already is an authority IRI
(from ``$1``/``$0``) or already links to one keeps it: nothing is proposed in that scheme, and a
candidate carrying another identifier of that scheme is dropped.

A node typed with a schema.org class (the ``schema`` profile) gets ``schema:sameAs`` beside each
``owl:sameAs``. For agents, the titles of the works they contribute to and the other agents of
those works are the evidence that candidates' lists of works and co-authors are compared with
(see :mod:`marc2rdf.enrich.match`).

Each link comes with its provenance, in the OWL axiom form SSSOM uses: an ``owl:Axiom`` naming
the link (``owl:annotatedSource/Property/Target``), with ``sssom:confidence`` (the score),
``sssom:mapping_provider`` (the service), ``sssom:mapping_justification semapv:LexicalMatching``,
and ``pav:authoredOn`` (SSSOM's ``mapping_date``): the date the answer was fetched, from its
cache entry, or the date given with ``--enrich-date``, so that a rerun writes the same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import sys
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from marc2rdf.enrich.base import (
    EXACT_MATCH,
    IDENTIFIED_BY_AUTHORITY,
    SAME_AS,
    SCHEMA,
    SKOS,
    TO_RECORDS,
    Service,
    identify,
    link_targets,
)
from marc2rdf.enrich.http import ServiceError
from marc2rdf.enrich.match import (
    AGENT_KINDS,
    LINK,
    MARGIN,
    REVIEW,
    Decision,
    Evidence,
    Heading,
    decide,
    evidence,
    year_of,
)

Triple = tuple[str, str, str]

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
BF = "http://id.loc.gov/ontologies/bibframe/"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SSSOM = "https://w3id.org/sssom/"
SEMAPV = "https://w3id.org/semapv/vocab/"
PAV = "http://purl.org/pav/"
PREFIXES = {"owl": OWL, "skos": SKOS, "sssom": SSSOM, "semapv": SEMAPV, "pav": PAV, "xsd": XSD}

_TYPE, _LABEL, _NAME = f"<{RDF}type>", f"<{RDFS}label>", f"<{SCHEMA}name>"
_SOURCE, _CODE = f"<{BF}source>", f"<{BF}code>"
_TERM_SET, _ABOUT, _DEFINED_TERM = f"<{SCHEMA}inDefinedTermSet>", f"<{SCHEMA}about>", f"<{SCHEMA}DefinedTerm>"
_BIRTH, _DEATH = f"<{SCHEMA}birthDate>", f"<{SCHEMA}deathDate>"
# what ties agents to works, and works to titles: the evidence of titles and co-authors
_CONTRIBUTION, _AGENT, _INSTANCE_OF = f"<{BF}contribution>", f"<{BF}agent>", f"<{BF}instanceOf>"
_TITLE, _MAIN_TITLE = f"<{BF}title>", f"<{BF}mainTitle>"
_SCHEMA_ROLES = {f"<{SCHEMA}{p}>" for p in ("author", "contributor", "creator", "editor", "illustrator",
                                             "translator", "composer", "lyricist", "producer", "director")}
# node type -> kind; the most specific first (a node typed bf:Agent and bf:Person is a person)
_KINDS = {f"<{BF}Person>": "person", f"<{BF}Family>": "family", f"<{BF}Jurisdiction>": "organization",
          f"<{BF}Organization>": "organization", f"<{BF}Meeting>": "meeting", f"<{BF}Place>": "place",
          f"<{BF}Topic>": "topic", f"<{BF}Agent>": "agent",
          f"<{SCHEMA}Person>": "person", f"<{SCHEMA}Organization>": "organization", f"<{SCHEMA}Place>": "place"}
_RANK = {k: i for i, k in enumerate(["person", "family", "organization", "meeting", "place", "topic", "agent"])}
_LINKS = {f"<{SAME_AS}>", f"<{EXACT_MATCH}>", f"<{SCHEMA}sameAs>", f"<{SKOS}closeMatch>",
          f"<{IDENTIFIED_BY_AUTHORITY}>"}

# heading kind (and thesaurus of a subject) -> services asked when none is named (--enrich alone)
DEFAULTS = {"person": ("lcnaf", "viaf", "wikidata"), "family": ("lcnaf", "wikidata"),
            "organization": ("lcnaf", "viaf", "wikidata"), "meeting": ("lcnaf", "viaf"), "agent": ("lcnaf", "viaf")}
BY_THESAURUS = {"lcsh": ("lcsh",), "mesh": ("mesh",), "ram": ("idref",), "rameau": ("idref",), "fast": ("fast",)}


def default_services(h: Heading) -> tuple[str, ...]:
    if h.kind == "place":
        return ("lcnaf", "wikidata") if h.source in ("lcsh", None) else BY_THESAURUS.get(h.source, ())
    if h.kind == "topic":
        return ("mesh", "lcsh") if h.source is None else BY_THESAURUS.get(h.source, ())
    return DEFAULTS.get(h.kind, ())


_ESCAPE = re.compile(r'\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))')
_LITERAL = re.compile(r'^"(.*)"(?:@([A-Za-z0-9-]+)|\^\^<[^>]*>)?$', re.DOTALL)


def _unescape(text: str) -> str:
    def one(m):
        if m.group(1) or m.group(2):
            return chr(int(m.group(1) or m.group(2), 16))
        return {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}.get(m.group(3), m.group(3))
    return _ESCAPE.sub(one, text) if "\\" in text else text


def _label(literals: list[str]) -> str | None:
    """The label to look up: a plain or Latin-script one before any other."""
    best = None
    for lit in literals:
        m = _LITERAL.match(lit)
        if not m:
            continue
        lang = (m.group(2) or "").lower()
        rank = 0 if not lang else 1 if lang.endswith("-latn") or "-" not in lang else 2
        if best is None or rank < best[0]:
            best = (rank, _unescape(m.group(1)))
    return best[1].strip() if best else None


def _source_code(term: str | None, codes: dict[str, str]) -> str | None:
    if not term:
        return None
    if term in codes:
        return codes[term]
    iri = term.strip("<>").rstrip("/")
    if iri.endswith("/authorities/subjects"):
        return "lcsh"
    if iri.endswith("/authorities/childrensSubjects"):
        return "cyac"
    return iri.rsplit("/", 1)[-1].lower() or None


def _year(literal: str) -> str:
    m = _LITERAL.match(literal)
    return year_of(m.group(1)) or "" if m else ""


def collect(triples: Iterable[Triple], context: dict | None = None) -> dict[Heading, list[str]]:
    """The distinct headings of some triples, in order of appearance, each with its nodes.

    Headings are read from BIBFRAME (``rdfs:label``, ``bf:source``) and from schema.org
    (``schema:name``, ``schema:inDefinedTermSet``, the ``schema:DefinedTerm`` a work is
    ``schema:about``, and ``schema:birthDate``/``deathDate`` as the dates of a person).
    ``context``, when given, receives ``evidence`` (heading -> :class:`Evidence`: titles of the
    works each agent contributes to and their other agents) and ``schema`` (the nodes typed
    with schema.org classes)."""
    kinds: dict[str, str] = {}
    labels: dict[str, list[str]] = {}
    names: dict[str, list[str]] = {}
    sources: dict[str, str] = {}
    codes: dict[str, str] = {}
    links: dict[str, list[str]] = {}
    dates: dict[str, list[str]] = {}
    about: set[str] = set()
    defined: set[str] = set()
    schema_nodes: set[str] = set()
    parts: dict[str, list[str]] = {}  # work -> its bf:Contributions, or (schema.org) its agents
    agent_of: dict[str, list[str]] = {}  # bf:Contribution -> agent
    titles_of: dict[str, list[str]] = {}  # work or instance -> title nodes
    main: dict[str, list[str]] = {}  # title node -> main titles
    instance_of: dict[str, str] = {}
    for s, p, o in triples:
        if p == _TYPE:
            kind = _KINDS.get(o)
            if kind and (s not in kinds or _RANK[kind] < _RANK[kinds[s]]):
                kinds[s] = kind
            if o.startswith(f"<{SCHEMA}"):
                schema_nodes.add(s)
                if o == _DEFINED_TERM:
                    defined.add(s)
        elif p == _LABEL:
            labels.setdefault(s, []).append(o)
        elif p == _NAME:
            names.setdefault(s, []).append(o)
        elif p in (_SOURCE, _TERM_SET):
            sources.setdefault(s, o)
        elif p == _CODE:
            m = _LITERAL.match(o)
            if m:
                codes[s] = _unescape(m.group(1)).strip().lower()
        elif p in _LINKS and o.startswith("<"):
            links.setdefault(s, []).append(o[1:-1])
        elif p == _CONTRIBUTION or p in _SCHEMA_ROLES:
            parts.setdefault(s, []).append(o)
        elif p == _AGENT:
            agent_of.setdefault(s, []).append(o)
        elif p == _TITLE:
            titles_of.setdefault(s, []).append(o)
        elif p == _MAIN_TITLE:
            main.setdefault(s, []).append(o)
        elif p == _INSTANCE_OF:
            instance_of[s] = o
        elif p == _ABOUT:
            about.add(o)
        elif p in (_BIRTH, _DEATH):
            dates.setdefault(s, ["", ""])[p == _DEATH] = _year(o)
    for node in defined & about:  # a schema.org subject (not a genre, which is a DefinedTerm too)
        kinds.setdefault(node, "topic")
    headings: dict[Heading, list[str]] = {}
    for node, kind in kinds.items():
        label = _label(labels.get(node, [])) or _label(names.get(node, []))
        if not label:
            continue
        if node in dates and kind in ("person", "family") and not re.search(r"\d", label):
            label += ", " + "-".join(dates[node])  # "Barth, Karl" born 1886, died 1968
        known = [identify(node[1:-1])] if node.startswith("<") else []
        known += [identify(iri) for iri in links.get(node, [])]
        source = _source_code(sources.get(node), codes) if kind in ("topic", "place") else None  # subjects only
        h = Heading(kind, label, source, tuple(sorted({k for k in known if k})))
        headings.setdefault(h, []).append(node)
    if context is not None:
        context["schema"] = schema_nodes
        context["evidence"] = _evidence(headings, labels, names, parts, agent_of, titles_of, main, instance_of)
    return headings


def _evidence(headings, labels, names, parts, agent_of, titles_of, main, instance_of) -> dict[Heading, Evidence]:
    """For each agent heading, the titles of its works and the labels of their other agents."""
    def agents(work: str) -> list[str]:
        return [a for part in parts.get(work, []) for a in agent_of.get(part, [part])]

    works: dict[str, set[str]] = {}  # agent node -> works
    for work in parts:
        for agent in agents(work):
            works.setdefault(agent, set()).add(work)
    if not works:
        return {}
    instances: dict[str, list[str]] = {}
    for inst, work in instance_of.items():
        instances.setdefault(work, []).append(inst)

    def titles(work: str) -> list[str]:
        found = [t for holder in [work, *instances.get(work, [])] for node in titles_of.get(holder, [])
                 for t in main.get(node, [])]
        found += names.get(work, [])  # schema.org: the work's name
        return [m.group(1) for t in found if (m := _LITERAL.match(t))]

    out: dict[Heading, Evidence] = {}
    for h, nodes in headings.items():
        if h.kind not in AGENT_KINDS:
            continue
        mine = {w for n in nodes for w in works.get(n, ())}
        if not mine:
            continue
        others = {a for w in mine for a in agents(w)} - set(nodes)
        coagents = [lab for a in others if (lab := _label(labels.get(a, [])) or _label(names.get(a, [])))]
        ev = evidence([_unescape(t) for w in mine for t in titles(w)], coagents, h.label)
        if ev:
            out[h] = ev
    return out


@dataclass
class Link:
    predicate: str
    target: str
    service: Service
    score: float
    date: str | None


@dataclass
class Stats:
    lookups: int = 0
    cached: int = 0
    linked: int = 0
    review: int = 0
    failed: Counter = field(default_factory=Counter)


class Enricher:
    """Resolves headings against services; keeps counts, the review report and what failed."""

    def __init__(self, services: list[Service], explicit: set[str] | None = None, use_defaults: bool = True,
                 thresholds: dict | None = None, date: str | None = None, schema_sameas: bool = False,
                 review_path: str | None = None, progress: Callable[[str], None] | None = None,
                 memory: int = 100_000):
        self.services = services
        self.explicit = explicit or set()
        self.use_defaults = use_defaults
        self.thresholds = {"link": LINK, "margin": MARGIN, "review": REVIEW, **(thresholds or {})}
        self.date = date
        self.schema_sameas = schema_sameas
        self.review_path = review_path
        self.reviews: list[dict] = []
        self.progress = progress
        self.stats = {s.name: Stats() for s in services}
        self.headings = 0
        self.linked = 0
        self.links = 0
        self._memo: OrderedDict[Heading, list[Link]] = OrderedDict()
        self._emitted: OrderedDict[tuple, None] = OrderedDict()
        self._memory = memory
        self._shown = 0.0
        self._evidence: dict[Heading, Evidence] = {}

    # -- routing -----------------------------------------------------------------------------
    def route(self, h: Heading) -> list[Service]:
        chosen = []
        for s in self.services:
            if not s.fits(h):
                continue
            if s.name in self.explicit or s.batched or (self.use_defaults and s.name in default_services(h)):
                chosen.append(s)
        return chosen

    # -- a batch -----------------------------------------------------------------------------
    def enrich(self, triples: Iterable[Triple]) -> list[Triple]:
        context: dict = {}
        headings = collect(triples, context)
        self._evidence, schema_nodes = context["evidence"], context["schema"]
        new = [h for h in headings if h not in self._memo]
        for service in self.services:
            if service.batched:
                service.prefetch([h for h in new if service in self.route(h)])
        out: list[Triple] = []
        for h, nodes in headings.items():
            if h in self._memo:
                self._memo.move_to_end(h)
                links = self._memo[h]
            else:
                links = self._memo[h] = self.resolve(h, nodes)
                if len(self._memo) > self._memory:
                    self._memo.popitem(last=False)
            for node in nodes:
                for link in links:
                    out.extend(self._triples(node, link, node in schema_nodes))
        self._evidence = {}
        return out

    def resolve(self, h: Heading, nodes: list[str]) -> list[Link]:
        self.headings += 1
        proposed: dict[str, dict[str, tuple[str, Link]]] = {}  # scheme -> target -> (predicate, link)
        for service in self.route(h):
            st = self.stats[service.name]
            st.lookups += 1
            try:
                candidates, reply = service.search(h)
            except ServiceError as exc:
                st.failed[exc.reason] += 1
                if exc.counts and exc.reason.startswith("malformed"):
                    service.client.breaker.failure(exc.reason)
                    if service.client.last is not None:
                        service.client.forget(service.client.last)
                self._show()
                continue
            st.cached += reply.from_cache
            decision = decide(h, candidates, **self.thresholds, evidence=self._evidence.get(h))
            if decision.status == "review":
                st.review += 1
                self._review(h, nodes, service.name, decision)
            elif decision.status == "linked":
                st.linked += 1
                date = self.date or (reply.created.date().isoformat() if reply.created else None)
                for scheme, iri in {**decision.best.ids, service.scheme: decision.best.iri}.items():
                    known_scheme = identify(iri)
                    if known_scheme:
                        scheme, iri = known_scheme
                        targets = link_targets(scheme, iri, h.kind in AGENT_KINDS, h.kind == "place")
                    else:
                        targets = [(EXACT_MATCH, iri)]
                    for predicate, target in targets:
                        link = Link(predicate, target, service, decision.score, date)
                        kept = proposed.setdefault(scheme, {}).get(target)
                        if kept is None or kept[1].score < link.score:
                            proposed[scheme][target] = (predicate, link)
            self._show()
        links = []
        known = {scheme for scheme, _ in h.known}
        for scheme, targets in proposed.items():
            if scheme in known:
                continue  # the record says it already: never overridden
            records = {t for t, (p, _) in targets.items() if p in TO_RECORDS} or set(targets)
            if len(records) > 1:
                self._review(h, nodes, "+".join(sorted({lk.service.name for _, lk in targets.values()})),
                             Decision("review", reason=f"services disagree on the {scheme} identifier: "
                                                       + ", ".join(sorted(records))))
                continue
            links.extend(link for _, link in targets.values())
        links.sort(key=lambda lk: (lk.predicate, lk.target))
        if links:
            self.linked += 1
        return links

    def _triples(self, node: str, link: Link, schema_node: bool = False) -> list[Triple]:
        key = (node, link.predicate, link.target)
        if key in self._emitted:
            return []
        if not node.startswith("_:"):
            self._emitted[key] = None
            if len(self._emitted) > self._memory:
                self._emitted.popitem(last=False)
        self.links += 1
        pred, target = f"<{link.predicate}>", f"<{link.target}>"
        out = [(node, pred, target)]
        if (self.schema_sameas or schema_node) and link.predicate == SAME_AS:
            out.append((node, f"<{SCHEMA}sameAs>", target))
        axiom = "_:enr" + hashlib.sha1(f"{node} {pred} {target}".encode()).hexdigest()[:20]
        out += [
            (axiom, _TYPE, f"<{OWL}Axiom>"),
            (axiom, f"<{OWL}annotatedSource>", node),
            (axiom, f"<{OWL}annotatedProperty>", pred),
            (axiom, f"<{OWL}annotatedTarget>", target),
            (axiom, f"<{SSSOM}mapping_justification>", f"<{SEMAPV}LexicalMatching>"),
            (axiom, f"<{SSSOM}confidence>", f'"{link.score:.2f}"^^<{XSD}double>'),
            (axiom, f"<{SSSOM}mapping_provider>", f"<{link.service.provider}>"),
        ]
        if link.date:
            out.append((axiom, f"<{PAV}authoredOn>", f'"{link.date}"^^<{XSD}date>'))
        return out

    # -- reports -----------------------------------------------------------------------------
    def _review(self, h: Heading, nodes: list[str], service: str, d: Decision) -> None:
        self.reviews.append({
            "heading": h.label, "kind": h.kind, "source": h.source or "", "service": service, "reason": d.reason,
            "score": round(d.score, 2), "candidate": d.best.iri if d.best else "",
            "candidate_label": d.best.label if d.best else "",
            "runner_up": d.runner_up.iri if d.runner_up else "",
            "runner_up_label": d.runner_up.label if d.runner_up else "",
            "runner_up_score": round(d.runner_up_score, 2) if d.runner_up else "",
            "nodes": " ".join(n.strip("<>") for n in nodes[:5]),
        })

    def counts(self) -> dict[str, int]:
        st = self.stats.values()
        return {"headings": self.headings, "lookups": sum(s.lookups for s in st), "cached": sum(s.cached for s in st),
                "requests": sum(s.client.live for s in self.services), "linked": self.linked, "links": self.links,
                "review": len(self.reviews)}

    def _show(self) -> None:
        if self.progress is None or time.monotonic() - self._shown < 0.5:
            return
        self._shown = time.monotonic()
        c = self.counts()
        self.progress(f"enrichment: {c['lookups']:,} look-ups ({c['cached']:,} cached), "
                      f"{c['linked']:,} headings linked, {c['review']:,} for review")

    def summary(self) -> str:
        c = self.counts()
        text = (f"enrichment: {c['headings']:,} headings, {c['lookups']:,} look-ups ({c['cached']:,} from the cache, "
                f"{c['requests']:,} requests), {c['linked']:,} headings linked ({c['links']:,} links), "
                f"{c['review']:,} for review")
        if c["review"]:
            text += f" (in {self.review_path})" if self.review_path else " (not kept: use --review FILE)"
        for name, st in self.stats.items():
            if st.failed:
                n = sum(st.failed.values())
                reasons = "; ".join(reason + (f" ({k:,})" if len(st.failed) > 1 else "")
                                    for reason, k in sorted(st.failed.items(), key=lambda t: (-t[1], t[0])))
                text += f"\n  {name}: {n:,} look-up{'s' if n > 1 else ''} not enriched: {reasons}"
        return text

    def close(self) -> None:
        if not self.review_path:
            return
        rows = self.reviews
        with open(self.review_path, "w", encoding="utf-8", newline="") as fh:
            if self.review_path.endswith(".json"):
                json.dump(rows, fh, ensure_ascii=False, indent=1)
                fh.write("\n")
            else:
                fields = ["heading", "kind", "source", "service", "reason", "score", "candidate", "candidate_label",
                          "runner_up", "runner_up_label", "runner_up_score", "nodes"]
                writer = csv.DictWriter(fh, fields)
                writer.writeheader()
                writer.writerows(rows)


class EnrichingSink:
    """Stands in for the output sink while enriching. Records arrive as N-Quads (each in its named
    graph, from wherever they were mapped), are kept ``size`` at a time, then written to the real
    sink in its own format, followed by the links of the batch: memory holds one batch."""

    def __init__(self, sink, enricher: Enricher, size: int = 1000, work: str | None = "#Work"):
        self.sink, self.enricher, self.size, self.work = sink, enricher, size, work
        self._batch: list[tuple[list[Triple], str | None]] = []

    def __getattr__(self, name):  # triples, records, shards...: the real sink's
        return getattr(self.sink, name)

    @property
    def vocabularies(self) -> set[str]:
        return self.sink.vocabularies

    @vocabularies.setter
    def vocabularies(self, value: set[str]) -> None:
        self.sink.vocabularies = value

    def begin(self) -> None:
        self.sink.begin()

    def write_record(self, data: bytes, triples: int) -> None:
        self.write(*parse_nquads(data))

    def write(self, triples: list[Triple], graph: str | None = None, focus: str | None = None) -> None:
        self._batch.append((triples, graph))
        if len(self._batch) >= self.size:
            self.flush()

    def flush(self) -> None:
        if not self._batch:
            return
        links = self.enricher.enrich(t for triples, _ in self._batch for t in triples)
        for triples, graph in self._batch:
            focus = graph[:-1] + self.work + ">" if graph and self.work else None
            self.sink.write(triples, graph, focus)
        if links:
            self.sink.write(links)
        self._batch.clear()

    def end(self, **metadata) -> None:
        self.flush()
        self.sink.end(**metadata)

    def close(self) -> None:
        """Write what is still held (after ``--strict`` stopped the run; not while an exception,
        such as an interrupt, is on its way out) and the review report."""
        if sys.exc_info()[0] is None:
            self.flush()
        self.enricher.close()


def parse_nquads(data: bytes) -> tuple[list[Triple], str | None]:
    """A record's triples and graph from the N-Quads lines of one graph (as the nq format writes them)."""
    lines = data.decode("utf-8").splitlines()
    if not lines:
        return [], None
    graph = lines[0][:-2].rsplit(" ", 1)[1] if lines[0].endswith(" .") else None
    cut = len(graph) + 3 if graph else 2
    triples = []
    for line in lines:
        s, p, o = line[:-cut].split(" ", 2)
        triples.append((s, p, o))
    return triples, graph


def stderr_progress(enabled: bool) -> Callable[[str], None] | None:
    if not enabled:
        return None
    return lambda text: (sys.stderr.write("\r\x1b[K" + text), sys.stderr.flush())
