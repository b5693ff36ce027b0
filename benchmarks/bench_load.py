"""Triples/s loaded into the embedded store and into an `oxigraph serve`, a named graph per record.

The input is 10,000 records: the well-formed ISO 2709 records of the test corpus, repeated, each
copy given its own 001 (``bench00001``...), so every record is a graph of its own. They are
mapped with the bibframe profile first (the mapping rate is printed, not counted); what is timed
is the load: from the writer's first unit to the dataset description written (and, embedded,
flushed to disk). Targets:

* ``embedded``: a new on-disk store (batches through Oxigraph's bulk loader), then the same
  records again into it (``embedded-reload``: every graph replaced);
* ``gsp``: `oxigraph serve` on a new directory (free loopback port), a PUT per record graph;
* ``update``: the same server, SPARQL Update, a request per batch.

    python benchmarks/bench_load.py [--records 10000] [--targets embedded,gsp,update]
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pymarc import Field

from marc2rdf.mapping import load_mappers
from marc2rdf.readers import read
from marc2rdf.readers.base import Read
from marc2rdf.store import EmbeddedWriter, HttpWriter, open_store
from marc2rdf.store.graphs import graph_of

CORPUS = ROOT / "tests" / "data" / "corpus" / "iso2709"


def units(count: int) -> list[tuple[str, list]]:
    records = [item.record for path in sorted(CORPUS.glob("*.mrc")) for item in read(str(path))
               if isinstance(item, Read)]
    (mapper,) = load_mappers(["bibframe"])
    out = []
    start = time.perf_counter()
    for i in range(count):
        record = records[i % len(records)]
        for f in record.get_fields("001"):
            record.remove_field(f)
        record.add_ordered_field(Field(tag="001", data=f"bench{i + 1:05d}"))
        out.append((graph_of(mapper, record), mapper.map(record)))
    elapsed = time.perf_counter() - start
    print(f"{count:,} records from {len(records)} corpus records, mapped at {count / elapsed:,.0f} records/s")
    return out


def load(writer, work: list) -> float:
    start = time.perf_counter()
    for graph, triples in work:
        writer.add(graph, triples)
    writer.finish(["bibframe"])
    return time.perf_counter() - start


class Server:
    def __init__(self, location: str):
        exe = shutil.which("oxigraph", path=sysconfig.get_path("scripts")) or shutil.which("oxigraph")
        if not exe:
            raise SystemExit("no oxigraph server: pip install oxigraph")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen([exe, "serve", "--location", location, "--bind", f"127.0.0.1:{port}"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(600):
            try:
                requests.get(self.url + "/query", params={"query": "ASK {}"}, timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.05)
        self.stop()
        raise SystemExit("oxigraph serve did not answer")

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=int, default=10_000)
    ap.add_argument("--targets", default="embedded,gsp,update")
    args = ap.parse_args()
    targets = args.targets.split(",")
    work = units(args.records)
    triples = sum(len(t) for _, t in work)
    print(f"{triples:,} triples, {triples / len(work):.0f} a record")
    print(f"{'target':18}{'seconds':>9}{'triples/s':>11}{'records/s':>11}")

    def show(name: str, seconds: float) -> None:
        print(f"{name:18}{seconds:9.1f}{triples / seconds:11,.0f}{len(work) / seconds:11,.0f}", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        if "embedded" in targets:
            store = open_store(Path(tmp) / "embedded")
            show("embedded", load(EmbeddedWriter(store, "http://example.org/"), work))
            show("embedded-reload", load(EmbeddedWriter(store, "http://example.org/"), work))
            del store
        for protocol in ("gsp", "update"):
            if protocol not in targets:
                continue
            server = Server(str(Path(tmp) / protocol))
            try:
                url = server.url + ("/store" if protocol == "gsp" else "/update")
                writer = HttpWriter(url, "http://example.org/", protocol, server.url + "/update")
                show(f"oxigraph {protocol}", load(writer, work))
            finally:
                server.stop()


if __name__ == "__main__":
    main()
