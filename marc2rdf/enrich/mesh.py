"""NLM MeSH: ``/mesh/lookup/descriptor?label=...&match=exact`` (case-insensitive, on preferred
labels only) answers ``[{"label", "resource"}]``. No key and no published limit."""

from __future__ import annotations

from marc2rdf.enrich.base import Service, expect
from marc2rdf.enrich.http import Reply
from marc2rdf.enrich.match import Candidate, Heading


class MeSH(Service):
    name = "mesh"
    host_key = "mesh"
    default_url = "https://id.nlm.nih.gov"
    provider = "https://id.nlm.nih.gov/mesh/"
    scheme = "mesh"
    kinds = frozenset({"topic"})
    sources = frozenset({"mesh", None})
    defaults = {"interval": 0.5, "ttl": 60 * 86400}  # MeSH changes once a year

    def request(self, h: Heading) -> dict:
        return {"method": "GET", "path": "/mesh/lookup/descriptor",
                "params": {"label": h.name, "match": "exact", "year": "current", "limit": 10}}

    def parse(self, reply: Reply) -> list[Candidate]:
        data = reply.json()
        expect(isinstance(data, list), "not a list")
        return [Candidate(d["resource"], d.get("label") or "", kind="topic", ids={"mesh": d["resource"]})
                for d in data if isinstance(d, dict) and isinstance(d.get("resource"), str)]
