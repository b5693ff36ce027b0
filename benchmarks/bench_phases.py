"""Microseconds a record spends in each phase of a conversion: read, map, format.

The 1,000 MARC-8 records of bench_convert.py, each phase timed on its own (best of --repeat);
the format phase makes each record's bytes as `convert` does (N-Triples unless --format):

    python benchmarks/bench_phases.py [--repeat 7] [--profile bibframe] [--format nt] [--only read|map|format]

Wall-clock time on a shared machine drifts from minute to minute. To compare two versions of
the code whatever the machine is doing, count instructions instead: run one phase under
callgrind with two repeat counts; the difference divided by the extra repeats is that phase's
cost, and it is the same from run to run:

    valgrind --tool=callgrind --callgrind-out-file=/dev/null python benchmarks/bench_phases.py --only map --repeat 1
    valgrind --tool=callgrind --callgrind-out-file=/dev/null python benchmarks/bench_phases.py --only map --repeat 3

(instructions per record = (Collected with 3 - Collected with 1) / 2 / 1,000; give valgrind the
interpreter itself, not a shell wrapper around it such as a pyenv shim.)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_iso2709 import CORPUS as ISO_CORPUS
from bench_iso2709 import MARC8_FILES, build_inputs

from marc2rdf.mapping import load_mappers
from marc2rdf.parallel import Converter, Settings
from marc2rdf.readers import read
from marc2rdf.readers.base import Read


def best(fn, repeat: int) -> float:
    """The shortest of ``repeat`` runs of ``fn``, in seconds."""
    shortest = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        shortest = min(shortest, time.perf_counter() - t0)
    return shortest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--records", type=int, default=1000)
    ap.add_argument("--profile", default="bibframe")
    ap.add_argument("--format", default="nt", help="the RDF format of the format phase (nt, turtle, jsonld, ...)")
    ap.add_argument("--only", choices=["read", "map", "format"], help="time one phase (for callgrind)")
    args = ap.parse_args()
    data, _ = build_inputs([ISO_CORPUS / f for f in MARC8_FILES], args.records)
    (mapper,) = load_mappers([args.profile])
    records = [item.record for item in read(data) if isinstance(item, Read)]
    n = len(records)

    def reading():
        for _ in read(data):
            pass

    def mapping():
        for r in records:
            mapper.map(r)

    conv = Converter(Settings(profiles=(args.profile,), format=args.format))
    named = conv.format.named
    outputs = [(mapper.map(r), *(conv.names(r) if named else (None, None))) for r in records] \
        if args.only in (None, "format") else []

    def formatting():
        record = conv.format.record
        for triples, graph, focus in outputs:
            record(triples, graph, focus)

    phases = {"read": reading, "map": mapping, "format": formatting}
    if args.only:
        phases = {args.only: phases[args.only]}
    total = 0.0
    for name, fn in phases.items():
        seconds = best(fn, args.repeat)
        total += seconds
        print(f"{name:8}{seconds / n * 1e6:8.0f} µs/record")
    if len(phases) > 1:
        print(f"{'total':8}{total / n * 1e6:8.0f} µs/record  ({n / total:,.0f} records/s, {args.profile}, {args.format})")


if __name__ == "__main__":
    main()
