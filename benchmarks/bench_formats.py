"""Records/s and peak RSS of `marc2rdf convert` for every RDF format, on 1 and 2 processes; and
the peak RSS of a sharded dump at 1k, 10k and 100k records.

Inputs: 1,000 MARC-8 ISO 2709 records (built as in bench_iso2709.py from the corpus's MARC-8
files) and every well-formed record of the test corpus (all serializations). Each measurement
runs in a fresh process: the whole `convert` command is timed (read, map, format, write to
/dev/null), after the profile is compiled; peak RSS is the process's own (and, with 2 processes,
the largest worker's).

    python benchmarks/bench_formats.py formats [--repeat 3] [--formats nt,turtle,...] [--records 1000] [--no-corpus]
    python benchmarks/bench_formats.py dump [--sizes 1000,10000,100000] [--jobs 1]
    python benchmarks/bench_formats.py machine [--repeat 5]
    python benchmarks/bench_formats.py work [--records 1000 | --corpus] [--format nt]

The 2-process column can only be as good as the machine: on a shared virtual machine two busy
processes do not always get two cores' worth of work done. `formats` therefore also times a
pure-Python loop (no I/O, no shared data) on 1 and 2 processes, before and after its table:
the machine's own scaling in the same minutes, to read the × column against. `machine` times
that loop alone. The 1- and 2-process runs of a format take turns, and each pair's ratio is
kept: their median (paired ×) is less at the mercy of a machine whose speed drifts over the
minutes than the ratio of the two best runs. `work` counts the instructions (valgrind) of
one conversion on 1 and on 2 processes: a count the machine's speed does not change, which
shows how much work the second process adds and how evenly the workers share it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_iso2709 import CORPUS as ISO_CORPUS
from bench_iso2709 import MARC8_FILES, split_records

CORPUS = ROOT / "tests" / "data" / "corpus"
DATA = ROOT / "benchmarks" / "data"
FORMATS = ["nt", "nq", "turtle", "jsonld", "jsonld-lines", "xml"]


def marc8_input(count: int) -> Path:
    """``count`` MARC-8 records, the corpus's repeated, in benchmarks/data/ (made once)."""
    path = DATA / f"marc8-{count}.mrc"
    if not path.exists():
        records = [r for f in MARC8_FILES for r in split_records((ISO_CORPUS / f).read_bytes()) if r[9:10] == b" "]
        DATA.mkdir(exist_ok=True)
        path.write_bytes(b"".join(records[i % len(records)] for i in range(count)))
    return path


def corpus_inputs() -> list[Path]:
    return [p for p in sorted(CORPUS.rglob("*")) if p.is_file() and p.suffix in (".mrc", ".xml", ".json", ".mrk")
            and "malformed" not in p.parts]


def one(argv: list[str]) -> None:
    """Run one `convert` in this process; print seconds, records, peak RSS (MB) as JSON."""
    from marc2rdf.cli import _convert_settings, build_parser, main
    from marc2rdf.parallel import converter

    converter(_convert_settings(build_parser().parse_args(["convert", *argv])))  # compile first
    devnull = os.open(os.devnull, os.O_WRONLY)
    saved = os.dup(2)
    os.dup2(devnull, 2)  # the summary and messages
    me = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = me.ru_utime + me.ru_stime
    try:
        start = time.perf_counter()
        status = main(["convert", *argv, "--no-progress"])
        seconds = time.perf_counter() - start
    finally:
        os.dup2(saved, 2)
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime - cpu_before
    print(json.dumps({"status": status, "seconds": seconds, "cpu": cpu, "rss": me.ru_maxrss / 1024,
                      "worker_rss": kids.ru_maxrss / 1024}))


def measure(argv: list[str]) -> dict:
    # modules from their compiled bytecode, as an installed package has them (pip compiles them)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    proc = subprocess.run([sys.executable, __file__, "one", *map(str, argv)], capture_output=True, text=True, env=env)
    if proc.returncode:
        raise SystemExit(proc.stderr)
    return json.loads(proc.stdout.splitlines()[-1])


def paired_runs(one_argv: list[str], two_argv: list[str], repeat: int) -> tuple[dict, dict, float]:
    """The best run of each command, the two run in turn (1, 2, 2, 1, 1, 2, ...) so that a machine
    that speeds up or slows down over the minutes weighs on both alike; and the median of the
    ratios of runs made one after the other (the first's seconds over the second's)."""
    ones, twos = [], []
    for i in range(repeat):
        order = ((ones, one_argv), (twos, two_argv))
        for runs, argv in order if i % 2 == 0 else order[::-1]:
            runs.append(measure(argv))
    ratios = sorted(a["seconds"] / b["seconds"] for a, b in zip(ones, twos))
    median = (ratios[(len(ratios) - 1) // 2] + ratios[len(ratios) // 2]) / 2
    fastest = lambda runs: min(runs, key=lambda r: r["seconds"])  # noqa: E731
    return fastest(ones), fastest(twos), median


def _loop(n: int) -> None:
    total, seen = 0, {}
    for i in range(n):
        total += i * i % 7
        if i % 97 == 0:
            seen[str(i)] = total


def machine_scaling(n: int = 2_000_000) -> float:
    """How much faster two processes get twice a pure-Python loop's work done than one does it
    once, on this machine now (2.0: two whole cores)."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")

    def run(procs: int) -> float:
        workers = [ctx.Process(target=_loop, args=(n,)) for _ in range(procs)]
        start = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        return time.perf_counter() - start

    return 2 * run(1) / run(2)


def _machine_line(repeat: int) -> str:
    ratios = sorted(machine_scaling() for _ in range(repeat))
    return f"this machine's own 2-process scaling now (a pure-Python loop, {repeat} runs): ×{ratios[0]:.2f}–{ratios[-1]:.2f}"


def cmd_machine(args) -> None:
    print(_machine_line(args.repeat))


def cmd_formats(args) -> None:
    print(_machine_line(3), flush=True)
    inputs = {f"{args.records:,} MARC-8 records": ([marc8_input(args.records)], args.records)}
    if not args.no_corpus:
        inputs["corpus (all serializations)"] = (corpus_inputs(), None)
    print("records/s by the wall clock; in brackets, by CPU time (records per CPU-second, all processes)")
    print("×: the best 2-process run over the best 1-process run; paired ×: the median of the ratios of")
    print("runs made one after the other (1 and 2 processes run in turn)")
    print(f"{'format':13}{'input':29}{'1 process':>17}{'RSS MB':>8}{'2 processes':>17}{'RSS MB':>12}{'×':>6}"
          f"{'paired ×':>9}")
    for fmt in args.formats.split(","):
        for name, (files, _) in inputs.items():
            t_args = ["--jsonld-lines"] if fmt == "jsonld-lines" else ["-t", fmt]
            base = [*files, *t_args, "-o", os.devnull]
            r1, r2, paired = paired_runs(base, [*base, "--jobs", "2"], args.repeat)
            records = count_records(files)
            rate1, rate2 = records / r1["seconds"], records / r2["seconds"]
            cpu1, cpu2 = f"({records / r1['cpu']:,.0f})", f"({records / r2['cpu']:,.0f})"
            print(f"{fmt:13}{name:29}{rate1:9,.0f}{cpu1:>8}{r1['rss']:8.0f}{rate2:9,.0f}{cpu2:>8}"
                  f"{r2['rss']:6.0f}+{r2['worker_rss']:<5.0f}{rate2 / rate1:6.2f}{paired:9.2f}", flush=True)
    print(_machine_line(3))


_COUNTS: dict[tuple, int] = {}


def count_records(files) -> int:
    key = tuple(files)
    if key not in _COUNTS:
        from marc2rdf.readers import read
        from marc2rdf.readers.base import Read

        _COUNTS[key] = sum(isinstance(i, Read) for f in files for i in read(f))
    return _COUNTS[key]


def cmd_dump(args) -> None:
    print(f"{'records':>9}{'seconds':>9}{'rec/s':>8}{'peak RSS MB':>13}  shards (N-Triples, gzip)")
    for size in map(int, args.sizes.split(",")):
        src = marc8_input(size)
        with tempfile.TemporaryDirectory() as out:
            r = measure([src, "-o", out, "--shard-size", args.shard_size, "--gzip", "--jobs", args.jobs])
            shards = len(json.loads((Path(out) / "manifest.json").read_text())["shards"])
        rss = f"{r['rss']:.0f}" + (f" + {r['worker_rss']:.0f}" if args.jobs > 1 else "")
        print(f"{size:9,}{r['seconds']:9.1f}{size / r['seconds']:8,.0f}{rss:>13}  {shards}", flush=True)


def _instructions(argv: list[str], out: Path) -> dict[str, int]:
    """Instructions of one `convert` under valgrind's callgrind, by file it wrote: the parent's up
    to its first fork (``*.1``), after it, and each worker's (counted from its fork)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(["valgrind", "--tool=callgrind", "--trace-children=yes", "--dump-before=_Fork",
                    f"--callgrind-out-file={out}/cg.%p", sys.executable, "-m", "marc2rdf", "convert",
                    *map(str, argv), "--no-progress"], capture_output=True, env=env, cwd=ROOT)
    # (the exit status says whether records were rejected, as the corpus's are: not a failure here)
    counts = {}
    for f in sorted(out.glob("cg.*")):
        for line in f.read_text(errors="replace").splitlines():
            if line.startswith("summary:"):
                counts[f.name] = int(line.split()[1])
    if not counts:
        raise SystemExit("valgrind wrote no counts (is it installed?)")
    return counts


def cmd_work(args) -> None:
    files = corpus_inputs() if args.corpus else [marc8_input(args.records)]
    what = "the corpus" if args.corpus else f"{args.records:,} MARC-8 records"
    base = [*files, "-t", args.format, "-o", os.devnull]
    with tempfile.TemporaryDirectory() as d1, tempfile.TemporaryDirectory() as d2:
        one = _instructions(base, Path(d1))
        two = _instructions([*base, "--jobs", "2"], Path(d2))
    total1, total2 = sum(one.values()), sum(two.values())
    parent = min((n for n in two if n.count(".") == 1), key=lambda n: int(n.split(".")[1]))
    workers = sorted((v for n, v in two.items() if n.count(".") == 1 and n != parent), reverse=True)
    start = two.get(parent + ".1", 0)
    print(f"instructions of `convert -t {args.format}` on {what} (valgrind callgrind)")
    print(f"1 process:   {total1 / 1e6:9,.0f}M")
    print(f"2 processes: {total2 / 1e6:9,.0f}M in all ({(total2 / total1 - 1) * 100:+.1f}%): the parent "
          f"{start / 1e6:,.0f}M before forking, {(two[parent] + two.get(parent + '.2', 0)) / 1e6:,.0f}M after; "
          f"workers {', '.join(f'{w / 1e6:,.0f}M' for w in workers)}")
    print(f"the records' work (all but the parent's start): {(total1 - start) / 1e6:,.0f}M on 1 process, "
          f"{(total2 - start) / 1e6:,.0f}M on 2 ({((total2 - start) / (total1 - start) - 1) * 100:+.1f}%)")


def main() -> None:
    if sys.argv[1:2] == ["one"]:
        return one(sys.argv[2:])
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="what", required=True)
    f = sub.add_parser("formats")
    f.add_argument("--repeat", type=int, default=3)
    f.add_argument("--formats", default=",".join(FORMATS))
    f.add_argument("--records", type=int, default=1000, help="MARC-8 records in the first input")
    f.add_argument("--no-corpus", action="store_true", help="leave out the test corpus")
    f.set_defaults(func=cmd_formats)
    d = sub.add_parser("dump")
    d.add_argument("--sizes", default="1000,10000,100000")
    d.add_argument("--shard-size", type=int, default=10_000)
    d.add_argument("--jobs", type=int, default=1)
    d.set_defaults(func=cmd_dump)
    w = sub.add_parser("work", help="instructions on 1 and 2 processes, under valgrind")
    w.add_argument("--records", type=int, default=1000)
    w.add_argument("--format", default="nt")
    w.add_argument("--corpus", action="store_true", help="the test corpus instead of MARC-8 records")
    w.set_defaults(func=cmd_work)
    m = sub.add_parser("machine")
    m.add_argument("--repeat", type=int, default=5)
    m.set_defaults(func=cmd_machine)
    args = ap.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
