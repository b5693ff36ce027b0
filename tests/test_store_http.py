"""Loading over HTTP into a real `oxigraph serve` (the `oxigraph` package of the test extra) on
a free loopback port: Graph Store Protocol and SPARQL Update, the same counts as the embedded
store, a server killed in the middle of a load, and a re-run that completes it. Retries and
credentials are checked against a small local HTTP server."""

import base64
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from marc2rdf.mapping import load_mappers
from marc2rdf.pipeline import Run
from marc2rdf.store import HttpWriter, StoreError, open_store, query_endpoint
from marc2rdf.store.load import Load

from support import CORPUS, mapped_counts

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(str(p) for p in (ROOT / "examples" / "records").iterdir())
FSL = str(CORPUS / "iso2709/evergreen__FSL.mrc")  # 52 records, each record its own 001
EX = "http://example.org/"
IN_RECORD_GRAPHS = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (?g != <{EX}dataset>) }}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Oxigraph:
    """`oxigraph serve` on a directory; started and stopped by the tests."""

    def __init__(self, location: Path):
        # installed next to this Python by `pip install -e '.[test]'` (package oxigraph)
        self.exe = shutil.which("oxigraph", path=sysconfig.get_path("scripts")) or shutil.which("oxigraph")
        assert self.exe, "no oxigraph server: `pip install -e '.[test]'` installs it (package oxigraph)"
        self.location = location
        self.proc: subprocess.Popen | None = None
        self.url = ""

    def start(self) -> "Oxigraph":
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen([self.exe, "serve", "--location", str(self.location), "--bind",
                                      f"127.0.0.1:{port}", "--union-default-graph"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(600):  # until it answers (or exits)
            if self.proc.poll() is not None:
                raise RuntimeError(f"oxigraph serve exited with {self.proc.returncode}")
            try:
                requests.get(self.url + "/query", params={"query": "ASK {}"}, timeout=1)
                return self
            except requests.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("oxigraph serve did not answer")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def count(self, sparql: str = IN_RECORD_GRAPHS) -> int:
        return int(next(iter(query_endpoint(self.url + "/query", sparql)))["n"].value)

    def dataset(self) -> set:
        resp = requests.get(self.url + "/store", headers={"Accept": "application/n-quads"}, timeout=60)
        resp.raise_for_status()
        return canonical(ox.parse(resp.content, format=ox.RdfFormat.N_QUADS))


@pytest.fixture
def server(tmp_path):
    servers = []

    def make(location=None):
        s = Oxigraph(location or tmp_path / f"oxigraph{len(servers)}")
        servers.append(s)
        return s.start()

    yield make
    for s in servers:
        s.kill()


def canonical(quads) -> set:
    ds = ox.Dataset(quads)
    ds.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in ds}


def run(*args, env=None):
    proc = subprocess.run([sys.executable, "-m", "marc2rdf", *map(str, args)], capture_output=True, timeout=600,
                          env={**os.environ, **(env or {})})
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


def test_graph_store_protocol_holds_what_the_embedded_store_holds(server, tmp_path):
    ox_server = server()
    args = ("--endpoint", ox_server.url + "/store", "--update-endpoint", ox_server.url + "/update", "--batch-size", "4")
    code, _, err = run("load", *EXAMPLES, *args)
    assert code == 0, err
    written, quads = mapped_counts(EXAMPLES)
    assert f"{written:,} triples into 12 graphs; 14 requests to" in err  # 13 PUTs and POSTs, the description
    assert ox_server.count() == quads
    code, _, err = run("load", *EXAMPLES, "--store", tmp_path / "embedded")
    assert code == 0, err
    embedded = canonical(open_store(tmp_path / "embedded", read_only=True))
    assert ox_server.dataset() == embedded
    code, _, err = run("load", *EXAMPLES, *args)
    assert code == 0, err
    assert ox_server.dataset() == embedded
    code, out, err = run("query", "--endpoint", ox_server.url + "/query",
                         f"SELECT ?d ?t WHERE {{ <{EX}dataset> void:documents ?d ; void:triples ?t }}", "-f", "csv")
    assert code == 0, err
    assert out.splitlines() == ["d,t", f"12,{quads}"]


def test_sparql_update_protocol(server):
    ox_server = server()
    for _ in range(2):  # the second load changes nothing
        code, _, err = run("load", FSL, "--endpoint", ox_server.url + "/update", "--protocol", "update",
                           "--batch-size", "10")
        assert code == 0, err
        written, quads = mapped_counts([FSL])
        assert f"{written:,} triples into 52 graphs; 7 requests to" in err  # 6 batches, the description
        assert ox_server.count() == quads == written
    code, out, _ = run("query", "--endpoint", ox_server.url + "/query", "ASK { ?w a bf:Work }")
    assert out == "true\n"


def test_a_load_cut_short_completes_when_run_again(server, tmp_path):
    location = tmp_path / "data"
    ox_server = server(location)
    writer = HttpWriter(ox_server.url + "/store", EX, batch_size=5, retries=1, backoff=0)
    writer.after_batch = lambda n: n == 3 and ox_server.kill()  # SIGKILL after the third batch
    run_ = Run([FSL])
    with pytest.raises(StoreError, match="ConnectionError"):
        Load(run_, writer, load_mappers(["bibframe"])).records()
    assert writer.batches == 3 and writer.graphs == 15  # the fourth batch never made it
    ox_server = server(location)  # the same data, a new server
    graphs = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert ox_server.count(graphs) == 15  # every PUT it acknowledged, and nothing else
    _, quads = mapped_counts([FSL])
    assert 0 < ox_server.count() < quads
    args = ("--endpoint", ox_server.url + "/store", "--update-endpoint", ox_server.url + "/update")
    code, _, err = run("load", FSL, *args)
    assert code == 0, err
    assert ox_server.count() == quads
    assert ox_server.count(graphs) == 52 + 1


def test_the_cli_reports_a_store_that_went_away(tmp_path):
    code, _, err = run("load", EXAMPLES[1], "--endpoint", f"http://127.0.0.1:{free_port()}/store", "--retries", "0")
    assert code == 2
    assert "marc2rdf: error: PUT http://127.0.0.1:" in err and "ConnectionError" in err
    assert "Traceback" not in err


class Stub(BaseHTTPRequestHandler):
    """Answers each request with the next status of ``statuses`` (then 204); keeps what it got."""

    statuses: list[int] = []
    seen: list[tuple] = []

    def _answer(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Stub.seen.append((self.command, self.path, self.headers.get("Authorization"), body))
        status = Stub.statuses.pop(0) if Stub.statuses else 204
        self.send_response(status)
        if status == 503:
            self.send_header("Retry-After", "0")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_PUT = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def stub():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    Stub.statuses, Stub.seen = [], []
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_retries_then_success_with_a_bearer_token(stub):
    Stub.statuses = [503, 502]
    writer = HttpWriter(stub + "/gsp", EX, env={"MARC2RDF_ENDPOINT_TOKEN": "s3cret"})
    writer.sleep = lambda s: None
    writer.add(f"<{EX}1>", [(f"<{EX}1#Work>", "<urn:p>", '"x"')])
    writer.finish()
    assert [(m, a) for m, _, a, _ in Stub.seen] == [("PUT", "Bearer s3cret")] * 3
    assert Stub.seen[0][1] == "/gsp?graph=http%3A%2F%2Fexample.org%2F1"
    assert Stub.seen[0][3] == f'<{EX}1#Work> <urn:p> "x" .\n'.encode()
    assert writer.requests == 1 and not writer.described


def test_a_refusal_is_not_retried(stub):
    Stub.statuses = [400]
    writer = HttpWriter(stub + "/update", EX, protocol="update", env={})
    writer.add(f"<{EX}1>", [(f"<{EX}1#Work>", "<urn:p>", '"x"')])
    with pytest.raises(StoreError, match="HTTP 400"):
        writer.finish()
    assert len(Stub.seen) == 1
    assert Stub.seen[0][3].startswith(f"DROP SILENT GRAPH <{EX}1> ;\nINSERT DATA {{ GRAPH <{EX}1> {{".encode())


def test_basic_credentials_come_from_the_environment_only(stub):
    env = {"MARC2RDF_ENDPOINT_USER": "cataloguer", "MARC2RDF_ENDPOINT_PASSWORD": "pw"}
    code, _, err = run("load", EXAMPLES[1], "--endpoint", stub + "/gsp", "--update-endpoint", stub + "/update", env=env)
    assert code == 0, err
    expected = "Basic " + base64.b64encode(b"cataloguer:pw").decode()
    assert [(m, a) for m, _, a, _ in Stub.seen] == [("PUT", expected), ("PUT", expected), ("POST", expected)]
    code, _, err = run("load", EXAMPLES[1], "--endpoint", stub + "/gsp", env={**env, "MARC2RDF_ENDPOINT_TOKEN": "t"})
    assert code == 2 and "not both" in err
