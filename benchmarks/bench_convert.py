"""Records/s and triples/record converting MARC to BIBFRAME N-Triples in one process.

Two inputs: 1,000 MARC-8 ISO 2709 records (built as in bench_iso2709.py from the corpus's MARC-8
files) and every well-formed record of the test corpus (all serializations). The whole path is
timed: read, map, format N-Triples lines, write to a null sink. Peak RSS is printed at the end.

    python benchmarks/bench_convert.py [--repeat 3] [--records 1000] [--profile bibframe]
"""

from __future__ import annotations

import argparse
import io
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_iso2709 import CORPUS as ISO_CORPUS
from bench_iso2709 import MARC8_FILES, build_inputs

from marc2rdf.mapping import load_mappers
from marc2rdf.readers import read
from marc2rdf.readers.base import Read
from marc2rdf.serialize import open_sink

CORPUS = ROOT / "tests" / "data" / "corpus"


class Null(io.RawIOBase):
    def writable(self):
        return True

    def write(self, b):
        return len(b)


def convert(inputs, mappers) -> tuple[int, int]:
    # as `convert` writes a record to a stream (a dump also gathers the vocabularies it uses)
    sink = open_sink("nt", Null(), {})
    record, write = sink.fmt.record, sink.write_record
    n = 0
    for source in inputs:
        for item in read(source):
            if isinstance(item, Read):
                triples = mappers[0].map(item.record) if len(mappers) == 1 else \
                    [t for m in mappers for t in m.map(item.record)]
                write(record(triples), len(triples))
                n += 1
    return n, sink.triples


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--records", type=int, default=1000)
    ap.add_argument("--profile", action="append")
    args = ap.parse_args()
    mappers = load_mappers(args.profile or ["bibframe"])
    marc8, _ = build_inputs([ISO_CORPUS / f for f in MARC8_FILES], args.records)
    corpus = [p for p in sorted(CORPUS.rglob("*")) if p.is_file() and p.suffix in (".mrc", ".xml", ".json", ".mrk")
              and "malformed" not in p.parts]
    print(f"profiles: {', '.join(m.name for m in mappers)}")
    print(f"{'input':28}{'records':>9}{'records/s':>11}{'triples/rec':>13}{'triples/s':>11}")
    for name, inputs in ((f"{args.records} MARC-8 records", [marc8]), ("shared corpus (all formats)", corpus)):
        best = float("inf")
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            n, triples = convert(inputs, mappers)
            best = min(best, time.perf_counter() - t0)
        print(f"{name:28}{n:9}{n / best:11,.0f}{triples / n:13.0f}{triples / best:11,.0f}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {rss:.0f} MB")


if __name__ == "__main__":
    main()
