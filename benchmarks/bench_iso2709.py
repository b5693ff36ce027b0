"""Records per second: marc2rdf's ISO 2709 reader against pymarc's MARCReader.

Two inputs of the same records are timed, one in MARC-8 (leader/09 blank) and one in UTF-8
(written by ``write_iso2709``). Without arguments the MARC-8 input is built from MARC-8 files of
the test corpus, concatenated and repeated up to ``--records`` records; files given on the
command line are used instead (MARC-8 ones, as the UTF-8 input is derived from them).

    python benchmarks/bench_iso2709.py [--repeat 5] [--records 1000] [FILE.mrc ...]
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pymarc import MARCReader

from marc2rdf.readers.base import Read
from marc2rdf.readers.iso2709 import read_iso2709, write_iso2709

CORPUS = ROOT / "tests" / "data" / "corpus" / "iso2709"
# corpus files whose records really are MARC-8 (evergreen__FSL.mrc is marked MARC-8 but is UTF-8)
MARC8_FILES = [
    "evergreen__lul_fre_100.mrc",
    "pymarc__marc.mrc",
    "evergreen__hebrew.mrc",
    "marc4j__brkrtest.mrc",
    "perl-marc__marc-record_title_proper.mrc",
    "marc4j__chabon-loc.mrc",
    "perl-marc__marc-charset_cjk1.mrc",
    "perl-marc__marc-charset_cjk2.mrc",
    "perl-marc__marc-charset_cyrillic.mrc",
    "perl-marc__marc-charset_hebrew1.mrc",
    "perl-marc__marc-charset_hebrew2.mrc",
]


def split_records(data: bytes) -> list[bytes]:
    return [chunk + b"\x1d" for chunk in data.split(b"\x1d") if chunk.strip()]


def build_inputs(files: list[Path], count: int) -> tuple[bytes, bytes]:
    records: list[bytes] = []
    for path in files:
        records.extend(r for r in split_records(path.read_bytes()) if r[9:10] == b" ")
    if not records:
        raise SystemExit("no MARC-8 record (leader/09 blank) in the input files")
    marc8 = [records[i % len(records)] for i in range(count)]
    utf8 = []
    for item in read_iso2709(io.BytesIO(b"".join(marc8)), "marc8"):
        assert isinstance(item, Read), item
        utf8.append(write_iso2709(item.record))
    return b"".join(marc8), b"".join(utf8)


def time_ours(data: bytes) -> int:
    return sum(1 for item in read_iso2709(io.BytesIO(data), "bench") if isinstance(item, Read))


def time_pymarc(data: bytes) -> int:
    return sum(1 for record in MARCReader(io.BytesIO(data), to_unicode=True, force_utf8=False) if record)


def best_rate(fn, data: bytes, repeat: int) -> tuple[float, int]:
    best = float("inf")
    n = 0
    for _ in range(repeat):
        start = time.perf_counter()
        n = fn(data)
        best = min(best, time.perf_counter() - start)
    return n / best, n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("files", nargs="*", type=Path, help="MARC-8 ISO 2709 files (default: corpus files)")
    parser.add_argument(
        "--repeat", type=int, default=5, help="timed runs per reader and input; the best counts"
    )
    parser.add_argument("--records", type=int, default=1000, help="records per input")
    args = parser.parse_args(argv)

    files = args.files or [CORPUS / name for name in MARC8_FILES]
    marc8, utf8 = build_inputs(files, args.records)
    print(
        f"{args.records} records; MARC-8 input {len(marc8):,} bytes, UTF-8 input {len(utf8):,} bytes; "
        f"best of {args.repeat} runs"
    )
    print(f"{'input':<8}{'reader':<16}{'records':>9}{'records/s':>12}")
    import contextlib
    import os

    for label, data in (("MARC-8", marc8), ("UTF-8", utf8)):
        rates = {}
        for name, fn in (("read_iso2709", time_ours), ("pymarc", time_pymarc)):
            # pymarc prints a line to stderr for each MARC-8 character it cannot map
            with open(os.devnull, "w") as devnull, contextlib.redirect_stderr(devnull):
                rate, n = best_rate(fn, data, args.repeat)
            rates[name] = rate
            print(f"{label:<8}{name:<16}{n:>9}{rate:>12,.0f}")
        print(f"{label:<8}{'speed-up':<16}{'':>9}{rates['read_iso2709'] / rates['pymarc']:>11.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
