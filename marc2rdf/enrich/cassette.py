"""Recorded answers of authority services: the fixture format, record mode, and a replay server.

A fixture is a text file whose first line is ``# SOURCE: ...`` (where and when it was captured)
followed by a JSON array of interactions, the cassette layout of ExVCR that the genuine captures in
``tests/data/authority/`` use::

    [{"request": {"method": "get", "url": ..., "headers": {...}, "body": ""},
      "response": {"status_code": 200, "headers": {...}, "body": "...", "binary": false}}]

``binary: true`` bodies are base64 (ExVCR wraps them in an Erlang binary term, and gzip when the
wire had ``content-encoding: gzip``; both are unwrapped on reading). Record mode writes the body
decoded, so ``content-encoding`` and ``content-length`` are left out of the recorded headers.

:class:`ReplayServer` serves such answers (and plain recorded bodies) on 127.0.0.1 with the
standard library's HTTP server, so that clients are tested over real HTTP without the internet;
``python -m marc2rdf.enrich.cassette FIXTURE...`` does the same from the command line.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from marc2rdf import __version__
from marc2rdf.enrich.match import normalize

_NOT_REPLAYED = {"content-encoding", "transfer-encoding", "content-length", "connection", "set-cookie"}


def read_fixture(path: str) -> tuple[str, str]:
    """``(source line, body)`` of a fixture file."""
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    first, sep, rest = text.partition("\n")
    if first.startswith("# SOURCE:"):
        return first[len("# SOURCE:"):].strip(), rest
    return "", text


def body_bytes(response: dict) -> bytes:
    body = response.get("body") or ""
    if not response.get("binary"):
        return body.encode("utf-8")
    raw = base64.b64decode(body)
    if raw[:2] == b"\x83m":  # Erlang term_to_binary of a binary: tag, 4-byte length, bytes
        raw = raw[6: 6 + int.from_bytes(raw[2:6], "big")]
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return raw


def load_cassette(path: str) -> list[dict]:
    return json.loads(read_fixture(path)[1])


class Recorder:
    """Record mode: each live answer becomes a fixture file in ``directory``."""

    def __init__(self, directory: str):
        self.directory = directory
        self.written: list[str] = []
        os.makedirs(directory, exist_ok=True)

    def __call__(self, service: str, reply) -> None:
        req = reply.request
        body = req.body or ""
        if isinstance(body, bytes):
            body = body.decode("utf-8", errors="replace")
        name = hashlib.sha1(f"{req.method} {req.url} {body}".encode()).hexdigest()[:12]
        path = os.path.join(self.directory, f"{service}__{req.method.lower()}_{name}.json")
        try:
            text, binary = reply.content.decode("utf-8"), False
        except UnicodeDecodeError:
            text, binary = base64.b64encode(reply.content).decode("ascii"), True
        interaction = {
            "request": {"method": req.method.lower(), "url": req.url, "headers": dict(req.headers), "body": body},
            "response": {"status_code": reply.status, "type": "ok", "binary": binary, "body": text,
                         "headers": {k.lower(): v for k, v in reply.headers.items() if k.lower() not in _NOT_REPLAYED}},
        }
        when = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(f"# SOURCE: recorded by marc2rdf {__version__} record mode, {when}, live {req.method} {req.url} "
                     f"; status {reply.status} ; body decoded (content-encoding removed)\n")
            json.dump([interaction], fh, ensure_ascii=False, indent=2)
            fh.write("\n")
        self.written.append(path)


# -- replay -----------------------------------------------------------------------------------

def _words(value: str) -> list[str]:
    return normalize(value.replace("*", " ")).split()


@dataclass
class Route:
    """One recorded answer and when to give it."""

    method: str
    path: str
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    match: dict[str, str] = field(default_factory=dict)  # parameters whose words the request must have
    times: int | None = None  # served this many times at most
    delay: float = 0.0  # seconds before answering
    cut: int | None = None  # send only this many bytes of the body, announcing all of it
    served: int = 0

    def matches(self, method: str, path: str, params: dict[str, str]) -> bool:
        if method != self.method or path != self.path or (self.times is not None and self.served >= self.times):
            return False
        for key, value in self.match.items():
            theirs = _words(params.get(key, ""))
            if not all(any(t.startswith(w) for t in theirs) for w in _words(value)):
                return False
        return True


def routes_from_cassette(path: str, match: tuple[str, ...] | None = ()) -> list[Route]:
    """A route per interaction of a cassette; ``match`` names the query parameters compared
    (None: all of them)."""
    routes = []
    for it in load_cassette(path):
        url = urlsplit(it["request"]["url"])
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        resp = it["response"]
        headers = {k: v for k, v in resp.get("headers", {}).items() if k.lower() not in _NOT_REPLAYED}
        keys = query if match is None else [k for k in match if k in query]
        routes.append(Route(it["request"].get("method", "get").upper(), url.path, body_bytes(resp),
                            int(resp.get("status_code", 200)), headers, {k: query[k] for k in keys}))
    return routes


def route_from_body(path: str, url: str, content_type: str = "application/json", status: int = 200,
                    match: tuple[str, ...] = (), method: str = "GET") -> Route:
    """A route serving a recorded body (the ``# SOURCE`` line removed) for requests like ``url``."""
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    return Route(method, parts.path, read_fixture(path)[1].encode("utf-8"), status, {"Content-Type": content_type},
                 {k: query[k] for k in match if k in query})


class ReplayServer:
    """An HTTP server on 127.0.0.1 (a free port) answering from routes, first match first."""

    def __init__(self, routes: list[Route] | None = None, port: int = 0):
        self.routes: list[Route] = list(routes or [])
        self.log: list[tuple[str, str]] = []  # (method, path?query) of every request
        self.unmatched: list[tuple[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                self._answer("GET")

            def do_POST(self):
                self._answer("POST")

            def _answer(self, method):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", errors="replace") if length else ""
                params = {k: v[0] for k, v in parse_qs(parts.query).items()}
                if "form-urlencoded" in (self.headers.get("Content-Type") or ""):
                    params.update({k: v[0] for k, v in parse_qs(body).items()})
                server.log.append((method, self.path))
                route = next((r for r in server.routes if r.matches(method, parts.path, params)), None)
                if route is None:
                    server.unmatched.append((method, self.path))
                    self._send(404, {"Content-Type": "application/json"}, b'{"error": "no recorded answer"}')
                    return
                route.served += 1
                if route.delay:
                    time.sleep(route.delay)
                self._send(route.status, route.headers, route.body, route.cut)

            def _send(self, status, headers, body, cut=None):
                try:
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(body)))
                    if cut is not None:
                        self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(body if cut is None else body[:cut])
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout): nothing to do
                if cut is not None:
                    self.close_connection = True

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> ReplayServer:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def routes_from_paths(paths: list[str], match: tuple[str, ...] | None = None) -> list[Route]:
    """The routes of every cassette in ``paths`` (files, or directories of ``*.json`` files, as
    record mode writes them); ``match`` as for :func:`routes_from_cassette`."""
    files = []
    for path in paths:
        if os.path.isdir(path):
            files += sorted(os.path.join(path, f) for f in os.listdir(path) if f.endswith(".json"))
        else:
            files.append(path)
    return [route for f in files for route in routes_from_cassette(f, match)]


def main(argv: list[str] | None = None) -> int:
    """``python -m marc2rdf.enrich.cassette FIXTURE... [--port N]``: serve recorded answers on
    127.0.0.1 until interrupted, for a run with ``MARC2RDF_<SERVICE>_URL`` pointing at it."""
    import argparse
    import sys

    ap = argparse.ArgumentParser(prog="python -m marc2rdf.enrich.cassette", description=main.__doc__.split("\n")[0])
    ap.add_argument("fixtures", nargs="+", help="cassette files, or directories of them (record mode's output)")
    ap.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")
    ap.add_argument("--match", default=None, metavar="PARAMS",
                    help="comma-separated query parameters a request must share with the recorded one "
                         "(default: all of them)")
    args = ap.parse_args(argv)
    routes = routes_from_paths(args.fixtures, tuple(args.match.split(",")) if args.match else None)
    server = ReplayServer(routes, port=args.port)
    print(f"{server.url} ({len(routes)} recorded answer{'s' if len(routes) != 1 else ''})", flush=True)
    try:
        server._server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server._server.server_close()
        for method, path in server.unmatched:
            sys.stderr.write(f"not recorded: {method} {path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
