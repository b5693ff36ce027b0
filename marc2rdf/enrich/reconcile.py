"""A client of the W3C Reconciliation Service API, for any endpoint (``--enrich reconcile:URL``).

The manifest (``GET`` of the endpoint) lists the versions the service speaks; ``1.0-draft`` is
used when listed, else ``0.2``:

- 0.2: ``POST`` form ``queries={"q0": {"query": ..., "limit": 5}, ...}`` answers
  ``{"q0": {"result": [{"id", "name", "score", "match", "type", "description"}]}}``;
- 1.0-draft: ``POST`` JSON ``{"queries": [{"conditions": [{"matchType": "name", "propertyValue": ...}]}]}``
  answers ``{"results": [{"candidates": [...]}]}``, in the order of the queries.

Queries go ``batch`` at a time (10). A candidate's IRI is the manifest's ``identifierSpace`` plus
its id, or its ``view.url`` template filled in. The service's own score and ``match`` flag are
kept for the review report; the decision is made by the same scoring as every other service.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from marc2rdf.enrich.base import Service, as_list, expect
from marc2rdf.enrich.http import ServiceError
from marc2rdf.enrich.match import Candidate, Heading


class Reconcile(Service):
    host_key = "reconcile"
    kinds = frozenset({"person", "family", "organization", "meeting", "agent", "topic", "place"})
    subdivided = True
    defaults = {"interval": 0.2, "ttl": 14 * 86400}
    batch = 10
    batched = True

    def __init__(self, client, language: str = "en"):
        super().__init__(client, language)
        self.endpoint = client.settings.url
        self.name = "reconcile:" + urlsplit(self.endpoint).netloc
        self.provider = self.endpoint
        self.scheme = self.name
        self._manifest: dict | None = None
        self._answers: dict[Heading, tuple[list[Candidate], object]] = {}

    def manifest(self) -> dict:
        if self._manifest is None:
            data = self.client.get(self.endpoint).json()
            expect(isinstance(data, dict), "manifest is not an object")
            self._manifest = data
        return self._manifest

    @property
    def version(self) -> str:
        return "1.0-draft" if "1.0-draft" in as_list(self.manifest().get("versions")) else "0.2"

    def _iri(self, ident: str) -> str:
        m = self.manifest()
        space = m.get("identifierSpace")
        if isinstance(space, str) and re.match(r"https?://", space):
            return space + ident
        view = (m.get("view") or {}).get("url") if isinstance(m.get("view"), dict) else None
        if isinstance(view, str):
            return view.replace("{{id}}", ident).replace("{id}", ident)
        return ident

    def prefetch(self, headings: list[Heading]) -> None:
        todo = [h for h in headings if h not in self._answers]
        for start in range(0, len(todo), self.batch):
            group = todo[start: start + self.batch]
            try:
                answers = self._ask(group)
            except (ServiceError, ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
                if not isinstance(exc, ServiceError):  # garbage of an unexpected shape
                    exc = ServiceError(f"malformed response ({exc.__class__.__name__})")
                for h in group:
                    self._answers[h] = ([], exc)
                continue
            for h, found in zip(group, answers[0]):
                self._answers[h] = (found, answers[1])

    def _ask(self, group: list[Heading]):
        if self.version == "1.0-draft":
            queries = [{"conditions": [{"matchType": "name", "propertyValue": h.label}], "limit": 5} for h in group]
            reply = self.client.post(self.endpoint, json={"queries": queries})
            data = reply.json()
            expect(isinstance(data, dict) and isinstance(data.get("results"), list), "no results")
            results = [r.get("candidates") if isinstance(r, dict) else None for r in data["results"]]
        else:
            queries = {f"q{i}": {"query": h.label, "limit": 5} for i, h in enumerate(group)}
            reply = self.client.post(self.endpoint, data={"queries": json.dumps(queries, ensure_ascii=False)})
            data = reply.json()
            expect(isinstance(data, dict), "not an object")
            entries = [data.get(f"q{i}") for i in range(len(group))]
            results = [e.get("result") if isinstance(e, dict) else None for e in entries]
        results += [None] * (len(group) - len(results))
        return [self._candidates(r) for r in results[: len(group)]], reply

    def _candidates(self, result) -> list[Candidate]:
        found = []
        for c in as_list(result):
            if isinstance(c, dict) and isinstance(c.get("id"), (str, int)):
                iri = self._iri(str(c["id"]))
                found.append(Candidate(iri, str(c.get("name") or ""), kind=None,
                                       description=str(c.get("description") or ""), ids={self.scheme: iri}))
        return found

    def search(self, h: Heading):
        if h not in self._answers:
            self.prefetch([h])
        found, reply = self._answers.pop(h)
        if isinstance(reply, ServiceError):
            raise reply
        return found, reply
