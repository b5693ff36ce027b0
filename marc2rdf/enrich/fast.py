"""OCLC FAST: ``/fastsuggest`` (since 2025; ``/searchfast/fastsuggest`` is gone).

A Solr answer: ``response.docs`` with ``idroot`` (a list now, a string before), ``auth`` (the
authorized heading) and the matched form in the field of the index asked (``suggest00`` personal
names, ``suggest10`` corporate, ``suggest11`` meetings, ``suggest50`` topics, ``suggest51``
places); ``type`` is ``auth`` or ``alt`` (a see-from form). A JSONP wrapper (``callback(...)``) is
tolerated. Quota: 10,000 requests a day, told by ``X-RateLimit-Remaining-Day``.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

from marc2rdf.enrich.base import Service, as_list, canonical, expect
from marc2rdf.enrich.http import Reply, ServiceError
from marc2rdf.enrich.match import Candidate, Heading

_INDEX = {"person": "suggest00", "family": "suggest00", "organization": "suggest10", "meeting": "suggest11",
          "topic": "suggest50", "place": "suggest51"}
_JSONP = re.compile(r"^\s*[\w.$]+\((.*)\)\s*;?\s*$", re.DOTALL)


class FAST(Service):
    name = "fast"
    host_key = "fast"
    default_url = "https://fast.oclc.org"
    provider = "https://fast.oclc.org/"
    scheme = "fast"
    kinds = frozenset(_INDEX)
    sources = frozenset({"fast", "lcsh", None})
    defaults = {"interval": 1.0, "ttl": 30 * 86400}

    def request(self, h: Heading) -> dict:
        index = _INDEX[h.kind]
        params = {"query": h.name, "query_index": index, "queryReturn": f"{index},idroot,auth,type",
                  "suggest": "autoSubject", "rows": 20, "sort": "usage desc"}
        return {"method": "GET", "path": "/fastsuggest", "params": params}

    def parse(self, reply: Reply) -> list[Candidate]:
        index = parse_qs(urlsplit(reply.request.url).query).get("query_index", ["suggestall"])[0]
        kind = {v: k for k, v in _INDEX.items() if k != "family"}.get(index)
        text = reply.text
        m = _JSONP.match(text)
        try:
            data = json.loads(m.group(1) if m and not text.lstrip().startswith("{") else text)
        except ValueError as exc:
            raise ServiceError(f"malformed response ({exc.__class__.__name__})") from None
        expect(isinstance(data, dict) and isinstance(data.get("response"), dict), "no response")
        docs = data["response"].get("docs")
        expect(isinstance(docs, list), "no docs")
        found = []
        for doc in docs:
            if not isinstance(doc, dict):
                continue
            root = next(iter(as_list(doc.get("idroot"))), "")
            number = re.sub(r"^fst0*", "", str(root))
            if not number.isdigit() or not isinstance(doc.get("auth"), str):
                continue
            iri = canonical("fast", number)
            forms = tuple(v for v in as_list(doc.get(index)) if isinstance(v, str) and v != doc["auth"])
            found.append(Candidate(iri, doc["auth"], forms, kind, ids={"fast": iri}))
        return found
