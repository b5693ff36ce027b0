"""Any SPARQL 1.1 store over HTTP: the Graph Store Protocol, or SPARQL Update where a store
lacks it.

``gsp``: a record's graph is PUT to ``ENDPOINT?graph=IRI`` (POSTed when a later record of the
run adds to it), its triples as Turtle (N-Triples, which every store reads as Turtle).
``update``: a batch is one request, ``DROP SILENT GRAPH <g> ; INSERT DATA { GRAPH <g> {...} }``
per graph, applied atomically by the stores we know. Both are idempotent per graph: a run that
was cut short is simply run again.

Failures that may pass (connection refused or reset, timeouts, 408, 429, 5xx) are retried with
exponential back-off, honouring ``Retry-After``; any other answer stops the load with the
store's message. Credentials come from the environment, never from the command line:
``MARC2RDF_ENDPOINT_TOKEN`` (bearer) or ``MARC2RDF_ENDPOINT_USER`` and
``MARC2RDF_ENDPOINT_PASSWORD`` (basic).
"""

from __future__ import annotations

import base64
import os
import sys
import time
from collections.abc import Mapping
from typing import TextIO

import requests

from marc2rdf.readers.base import InputError
from marc2rdf.store.writer import StoreError, Writer

PROTOCOLS = ("gsp", "update")
RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})
TURTLE = "text/turtle; charset=utf-8"
UPDATE = "application/sparql-update; charset=utf-8"


def auth_header(env: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The Authorization header the environment asks for, if any."""
    token = env.get("MARC2RDF_ENDPOINT_TOKEN")
    user = env.get("MARC2RDF_ENDPOINT_USER")
    if token and user:
        raise InputError("set MARC2RDF_ENDPOINT_TOKEN or MARC2RDF_ENDPOINT_USER, not both")
    if token:
        return {"Authorization": f"Bearer {token}"}
    if user:
        pair = f"{user}:{env.get('MARC2RDF_ENDPOINT_PASSWORD', '')}".encode()
        return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}
    return {}


def _merge(batch):
    """A batch's units merged per graph, in order: ``[(graph, triples, replace)]``."""
    merged: dict[str, tuple[list, bool]] = {}
    for graph, triples, replace in batch:
        if graph in merged:
            merged[graph][0].extend(triples)
        else:
            merged[graph] = (list(triples), replace)
    return [(g, t, r) for g, (t, r) in merged.items()]


def _lines(triples) -> str:
    return "".join(f"{s} {p} {o} .\n" for s, p, o in triples)


class HttpWriter(Writer):
    """Loads into a store over HTTP. ``endpoint`` is the Graph Store Protocol URL (``gsp``) or
    the SPARQL Update URL (``update``); the dataset description needs an update URL, so with
    ``gsp`` it is written only when ``update_endpoint`` is given."""

    def __init__(
        self,
        endpoint: str,
        base: str,
        protocol: str = "gsp",
        update_endpoint: str | None = None,
        batch_size: int = 100,
        retries: int = 5,
        backoff: float = 1.0,
        timeout: float = 300,
        dry_run: bool = False,
        out: TextIO | None = None,
        env: Mapping[str, str] = os.environ,
    ):
        super().__init__(base, batch_size)
        if protocol not in PROTOCOLS:
            raise InputError(f"unknown protocol {protocol!r}: {' or '.join(PROTOCOLS)}")
        self.endpoint = endpoint
        self.protocol = protocol
        self.update_endpoint = endpoint if protocol == "update" else update_endpoint
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self.dry_run = dry_run
        self.out = out or sys.stdout
        self.requests = 0  # requests that succeeded (or, in a dry run, would be sent)
        self.described = False
        self.session = requests.Session()
        self.session.headers.update(auth_header(env))
        self.sleep = time.sleep

    def _write(self, batch, quads) -> None:
        units = _merge(batch)
        if self.protocol == "gsp":
            for graph, triples, replace in units:
                self._send("PUT" if replace else "POST", self.endpoint, _lines(triples), TURTLE,
                           f"graph {graph}, {len(triples)} triples", params={"graph": graph[1:-1]})
            return
        ops = []
        for graph, triples, replace in units:
            if replace:
                ops.append(f"DROP SILENT GRAPH {graph}")
            ops.append(f"INSERT DATA {{ GRAPH {graph} {{\n{_lines(triples)}}} }}")
        n = sum(len(t) for _, t, _ in units)
        self._send("POST", self.endpoint, " ;\n".join(ops), UPDATE, f"{len(units)} graphs, {n} triples")

    def _update(self, sparql: str) -> None:
        if self.update_endpoint:
            self._send("POST", self.update_endpoint, sparql, UPDATE, "dataset description")
            self.described = True

    def _send(self, method: str, url: str, body: str, content_type: str, what: str, params=None) -> None:
        if self.dry_run:
            target = f"{url}?graph={params['graph']}" if params else url
            self.out.write(f"{method} {target} ({what})\n")
            self.requests += 1
            return
        data = body.encode("utf-8")
        for attempt in range(self.retries + 1):
            try:
                resp = self.session.request(method, url, params=params, data=data, timeout=self.timeout,
                                            headers={"Content-Type": content_type})
            except requests.RequestException as exc:
                problem, wait = f"{type(exc).__name__}: {exc}", None
            else:
                if resp.status_code < 300:
                    self.requests += 1
                    return
                problem = f"HTTP {resp.status_code} {resp.reason}: {resp.text.strip()[:500]}"
                if resp.status_code not in RETRY_STATUS:
                    raise StoreError(f"{method} {url} ({what}): {problem}")
                wait = _retry_after(resp)
            if attempt < self.retries:
                self.sleep(wait if wait is not None else min(self.backoff * 2**attempt, 60))
        raise StoreError(f"{method} {url} ({what}): {problem} (tried {self.retries + 1} times)")


def _retry_after(resp: requests.Response) -> float | None:
    try:
        return min(float(resp.headers.get("Retry-After", "")), 300)
    except ValueError:
        return None
