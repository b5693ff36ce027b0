"""What every service module provides, the identifier schemes links point into, and which
property a link takes.

Links are ``owl:sameAs`` only to IRIs of the real-world thing (Wikidata items, VIAF clusters,
ORCID iDs, ISNIs, GND entities, id.loc.gov's ``rwo`` agents). An agent or a place, a real-world
thing, links to its id.loc.gov record (a MADS/RDF authority) by
``madsrdf:isIdentifiedByAuthority`` (from a ``madsrdf:RWO`` to a ``madsrdf:Authority``, as LC's
own BIBFRAME does); every other link to an authority record (LCSH topics, FAST, MeSH, IdRef, an
IRI this module does not know) is ``skos:exactMatch``.
"""

from __future__ import annotations

import re

from marc2rdf.enrich.http import Client, Reply
from marc2rdf.enrich.match import Candidate, Heading

OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SCHEMA = "https://schema.org/"
SAME_AS = OWL + "sameAs"
EXACT_MATCH = SKOS + "exactMatch"
MADSRDF = "http://www.loc.gov/mads/rdf/v1#"
IDENTIFIED_BY_AUTHORITY = MADSRDF + "isIdentifiedByAuthority"
TO_RECORDS = frozenset({EXACT_MATCH, IDENTIFIED_BY_AUTHORITY})  # the predicates of links to authority records

# scheme -> (pattern with the identifier as group 1, canonical IRI, a real-world thing?)
SCHEMES: dict[str, tuple[re.Pattern, str, bool]] = {
    "lc": (re.compile(r"^https?://id\.loc\.gov/(?:authorities/names|rwo/agents)/([a-z]+\d+)"),
           "http://id.loc.gov/authorities/names/{}", False),
    "lcsh": (re.compile(r"^https?://id\.loc\.gov/authorities/subjects/(sh\d+)"),
             "http://id.loc.gov/authorities/subjects/{}", False),
    "viaf": (re.compile(r"^https?://(?:www\.)?viaf\.org/viaf/(\d+)"), "http://viaf.org/viaf/{}", True),
    "wikidata": (re.compile(r"^https?://www\.wikidata\.org/(?:entity|wiki)/(Q\d+)"),
                 "http://www.wikidata.org/entity/{}", True),
    "fast": (re.compile(r"^https?://id\.worldcat\.org/fast/(?:fst)?0*(\d+)"), "http://id.worldcat.org/fast/{}", False),
    "mesh": (re.compile(r"^https?://id\.nlm\.nih\.gov/mesh/([A-Z]\d+)"), "http://id.nlm.nih.gov/mesh/{}", False),
    "idref": (re.compile(r"^https?://www\.idref\.fr/(\d{8}[\dX])"), "http://www.idref.fr/{}/id", False),
    "orcid": (re.compile(r"^https?://orcid\.org/(\d{4}-\d{4}-\d{4}-\d{3}[\dX])"), "https://orcid.org/{}", True),
    "isni": (re.compile(r"^https?://(?:www\.)?isni\.org/isni/(\d{15}[\dX])"), "https://isni.org/isni/{}", True),
    # a GND IRI names the person, body, place or subject itself (its description is at .../about)
    "gnd": (re.compile(r"^https?://d-nb\.info/gnd/(\d[\dX-]*)$"), "https://d-nb.info/gnd/{}", True),
}
LC_RWO = "http://id.loc.gov/rwo/agents/{}"


def identify(iri: str) -> tuple[str, str] | None:
    """``(scheme, canonical IRI)`` of an IRI in a known scheme, else None."""
    for scheme, (pattern, template, _) in SCHEMES.items():
        m = pattern.match(iri)
        if m:
            return scheme, template.format(m.group(1))
    return None


def canonical(scheme: str, identifier: str) -> str:
    return SCHEMES[scheme][1].format(identifier)


def link_targets(scheme: str, iri: str, agent: bool, place: bool = False) -> list[tuple[str, str]]:
    """``(predicate, target)`` pairs for a matched identifier of an agent, a place or a topic."""
    if SCHEMES[scheme][2]:
        return [(SAME_AS, iri)]
    mads = scheme in ("lc", "lcsh") and (agent or place)
    targets = [(IDENTIFIED_BY_AUTHORITY if mads else EXACT_MATCH, iri)]
    if scheme == "lc" and agent:  # LC names have a real-world-object IRI too
        targets.append((SAME_AS, LC_RWO.format(iri.rsplit("/", 1)[1])))
    return targets


class Service:
    """One authority service: which headings it answers, how to ask, how to read the answer."""

    name = ""  # as written after --enrich
    host_key = ""  # settings section and MARC2RDF_<HOST_KEY>_URL
    default_url = ""
    provider = ""  # the service's IRI, recorded as the provider of a link
    scheme = ""  # of the IRIs it answers with
    kinds: frozenset[str] = frozenset()
    sources: frozenset[str | None] | None = None  # thesauri of topics and places it answers for
    subdivided = False  # can it match a heading with subdivisions ("A--B")?
    batched = False  # does one answer serve several headings (see prefetch)?
    defaults = {"interval": 1.0, "ttl": 30 * 86400}  # policy: seconds between requests, cache life

    def __init__(self, client: Client, language: str = "en"):
        self.client = client
        self.language = language

    def fits(self, h: Heading) -> bool:
        if h.kind not in self.kinds or (h.subdivided and not self.subdivided):
            return False
        return not (h.kind in ("topic", "place") and self.sources is not None and h.source not in self.sources)

    def search(self, h: Heading) -> tuple[list[Candidate], Reply]:
        """The candidates for a heading, and the answer they come from (perhaps a cached one)."""
        return self.client.lookup(self.request(h), self.parse, self.name)

    def request(self, h: Heading) -> dict:
        """What to ask: ``method``, ``path``, ``params``, ``headers``, ``data`` or ``json``."""
        raise NotImplementedError

    def parse(self, reply: Reply) -> list[Candidate]:
        """The candidates in an answer (the same for every heading that makes the same request)."""
        raise NotImplementedError

    def prefetch(self, headings: list[Heading]) -> None:
        """Services that answer many queries at once ask them here; the others need nothing."""


def as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def expect(condition, what: str) -> None:
    from marc2rdf.enrich.http import ServiceError

    if not condition:
        raise ServiceError(f"malformed response ({what})")
