"""Records per second of every reader behind ``marc2rdf.readers.read``, next to pymarc's.

The same N real records (the ISO 2709 files of the test corpus, read with
``marc2rdf.readers.read`` and repeated as needed) are written once in each serialization the
registry writes: ISO 2709 (UTF-8), MARCXML, MARC-in-JSON (one object per line, as the writer
writes it, and as a JSON array, the only form pymarc's JSONReader reads), MarcEdit .mrk and the
formatted text dump. A MARC-8 ISO 2709 input (leader/09 blank) is added, made of the corpus
files whose records really are MARC-8 (see ``MARC8_FILES``), repeated up to N records.

Each file is then read in full, from its path, with the serialization detected from the content
(``read(path)``), and the best of ``--repeat`` runs counts. pymarc is timed on the same files
where it has a reader: ``MARCReader(to_unicode=True)`` for ISO 2709, ``parse_xml_to_array`` for
MARCXML, ``JSONReader`` for the JSON array. All of marc2rdf's timings are taken before
pymarc's, so that the peak RSS printed at the end can be given after the inputs are written, after
marc2rdf's readers, and after pymarc's (``parse_xml_to_array`` and ``JSONReader`` hold every
record in memory).

With ``--files N``, the cost of many small inputs is measured as well: the first N corpus records
are written one record a file in each serialization, and every file is read from its path; the
microseconds a file (opening, detection, reading its one record) are printed next to the
microseconds a record of the large input, so the difference is what a file costs on its own.

    python benchmarks/bench_readers.py [--records 1000] [--repeat 5] [--dir DIR] [--files 200]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pymarc

from marc2rdf.readers import FORMATS, read, write_records
from marc2rdf.readers.base import Read

CORPUS = ROOT / "tests" / "data" / "corpus" / "iso2709"

# Corpus files whose records are MARC-8 in fact, not only in leader/09: each was read with
# marc2rdf's reader without a repair and without a U+FFFD. Left out although labelled MARC-8:
# evergreen__FSL.mrc, evergreen__map_data.mrc, catmandu-marc__dollar_subfields.mrc and
# pymarc__utf8_without_leader_flag.mrc (UTF-8), pymarc__1251.mrc (Windows-1251).
MARC8_FILES = [
    "evergreen__lul_fre_100.mrc",  # 100 records, ANSEL diacritics (French)
    "pymarc__marc.mrc",  # 20 records, plain ASCII
    "evergreen__hebrew.mrc",  # 20 records, escape sequences to Hebrew
    "marc4j__brkrtest.mrc",  # 8 records, many diacritics and special characters
    "perl-marc__marc-charset_cjk1.mrc",  # EACC (multibyte CJK)
    "perl-marc__marc-charset_cjk2.mrc",
    "perl-marc__marc-charset_cyrillic.mrc",
    "perl-marc__marc-charset_hebrew1.mrc",
    "perl-marc__marc-charset_hebrew2.mrc",
]


# -- inputs -----------------------------------------------------------------------------------------


def corpus_records() -> list[pymarc.Record]:
    """The records of the ISO 2709 corpus, in file order, that every writer can write (ISO 2709
    caps a record at 99,999 bytes)."""
    write = FORMATS["iso2709"].load_writer()
    records = []
    for path in sorted(CORPUS.glob("*.mrc")):
        for item in read(path):
            if isinstance(item, Read):
                try:
                    write(item.record)
                except ValueError:
                    continue
                records.append(item.record)
    if not records:
        raise SystemExit(f"no record could be read from {CORPUS}")
    return records


def repeated(items: list, count: int) -> Iterator:
    return (items[i % len(items)] for i in range(count))


def split_iso2709(data: bytes) -> list[bytes]:
    return [chunk + b"\x1d" for chunk in data.split(b"\x1d") if chunk.strip()]


def marc8_records() -> list[bytes]:
    records = []
    for name in MARC8_FILES:
        records.extend(r for r in split_iso2709((CORPUS / name).read_bytes()) if r[9:10] == b" ")
    return records


def write_inputs(count: int, folder: Path) -> list[tuple[str, Path]]:
    """(label, path) of every input, ``count`` records each, written in ``folder`` (only the
    corpus is held in memory, not the ``count`` records)."""
    corpus = corpus_records()
    inputs = []
    for fmt in FORMATS:
        path = folder / f"records.{fmt}"
        with open(path, "wb") as out:
            write_records(repeated(corpus, count), out, fmt)
        if fmt != "marcjson":
            inputs.append((fmt, path))
            continue
        inputs.append(("marcjson (ndjson)", path))
        array = folder / "records.marcjson-array"
        with open(path, "rb") as lines, open(array, "wb") as out:
            out.write(b"[\n")
            for n, line in enumerate(lines):
                out.write((b",\n" if n else b"") + line.rstrip(b"\n"))
            out.write(b"\n]\n")
        inputs.append(("marcjson (array)", array))
    marc8 = folder / "records-marc8.iso2709"
    with open(marc8, "wb") as out:
        out.writelines(repeated(marc8_records(), count))
    inputs.insert(1, ("iso2709 MARC-8", marc8))
    return inputs


def write_small_inputs(count: int, folder: Path) -> dict[str, list[Path]]:
    """``count`` files of one record each per serialization the registry writes."""
    corpus = corpus_records()[:count]
    inputs: dict[str, list[Path]] = {}
    for fmt in FORMATS:
        paths = inputs.setdefault(fmt, [])
        for n, record in enumerate(corpus):
            path = folder / f"small-{n:05d}.{fmt}"
            with open(path, "wb") as out:
                write_records([record], out, fmt)
            paths.append(path)
    return inputs


def best_per_file(paths: list[Path], repeat: int) -> float:
    """Microseconds a file of the fastest run over all of ``paths``."""
    fastest = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for path in paths:
            ours(path)
        fastest = min(fastest, time.perf_counter() - start)
    return fastest / len(paths) * 1e6


# -- readers ----------------------------------------------------------------------------------------


def ours(path: Path) -> int:
    return sum(1 for item in read(path) if isinstance(item, Read))


def pymarc_iso2709(path: Path) -> int:
    with open(path, "rb") as fh:
        reader = pymarc.MARCReader(fh, to_unicode=True, force_utf8=False, permissive=True)
        return sum(1 for record in reader if record is not None)


def pymarc_marcxml(path: Path) -> int:
    return len(pymarc.parse_xml_to_array(str(path)))


def pymarc_json(path: Path) -> int:
    with open(path, encoding="utf-8") as fh:
        return sum(1 for _ in pymarc.JSONReader(fh))


PYMARC = {
    "iso2709": pymarc_iso2709,
    "iso2709 MARC-8": pymarc_iso2709,
    "marcxml": pymarc_marcxml,
    "marcjson (array)": pymarc_json,
}


def best(fn, path: Path, repeat: int) -> tuple[float, int]:
    """(records per second of the fastest run, records read)."""
    fastest, n = float("inf"), 0
    for _ in range(repeat):
        # pymarc writes a line to stderr for each MARC-8 character it cannot map
        with open(os.devnull, "w") as devnull, contextlib.redirect_stderr(devnull):
            start = time.perf_counter()
            n = fn(path)
            fastest = min(fastest, time.perf_counter() - start)
    return n / fastest, n


def peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB on Linux


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1000, help="records per input (default 1000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per reader and input; the best counts")
    parser.add_argument("--dir", type=Path, help="write the inputs here and keep them (default: a temporary folder)")
    parser.add_argument("--files", type=int, default=0,
                        help="also read this many one-record files per serialization (default: none)")
    args = parser.parse_args(argv)
    if args.records < 1 or args.repeat < 1 or args.files < 0:
        parser.error("--records and --repeat must be at least 1, --files at least 0")

    with contextlib.ExitStack() as stack:
        if args.dir:
            folder = args.dir
            folder.mkdir(parents=True, exist_ok=True)
        else:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench_readers_")))
        inputs = write_inputs(args.records, folder)
        rss_inputs = peak_rss_mib()
        # marc2rdf's readers first, then pymarc's: the peak RSS after the first is marc2rdf's own
        ours_results = {label: best(ours, path, args.repeat) for label, path in inputs}
        rss_ours = peak_rss_mib()
        theirs_results = {
            label: best(PYMARC[label], path, args.repeat) for label, path in inputs if label in PYMARC
        }
        sizes = {label: path.stat().st_size for label, path in inputs}
        small = {}
        if args.files:
            small = {fmt: best_per_file(paths, args.repeat)
                     for fmt, paths in write_small_inputs(args.files, folder).items()}

    print(f"{args.records} records per input; best of {args.repeat} runs; "
          f"Python {sys.version.split()[0]}, pymarc {_version('pymarc')}")
    print(f"{'input':<18}{'size':>12}{'records':>9}{'marc2rdf rec/s':>16}{'pymarc rec/s':>14}{'ratio':>8}")
    for label, _ in inputs:
        rate, n = ours_results[label]
        line = f"{label:<18}{sizes[label]:>12,}{n:>9}{rate:>16,.0f}"
        if label in theirs_results:
            their_rate, their_n = theirs_results[label]
            line += f"{their_rate:>14,.0f}{rate / their_rate:>7.1f}x"
            if their_n != n:
                line += f"  (pymarc read {their_n})"
        else:
            line += f"{'-':>14}{'':>8}"
        print(line)
    print(f"peak RSS: {rss_inputs:.1f} MiB after writing the inputs, {rss_ours:.1f} MiB after marc2rdf's "
          f"readers, {peak_rss_mib():.1f} MiB at the end (pymarc's readers included)")
    if small:
        print(f"\none record a file, {args.files} files per serialization, read from their paths")
        print(f"{'input':<18}{'µs/file':>10}{'µs/record (large input)':>26}")
        for fmt, per_file in small.items():
            rate, _ = ours_results[fmt if fmt != "marcjson" else "marcjson (ndjson)"]
            print(f"{fmt:<18}{per_file:>10,.0f}{1e6 / rate:>26,.0f}")
    return 0


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
