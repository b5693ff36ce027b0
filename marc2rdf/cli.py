"""The ``marc2rdf`` command: thin wrappers over :mod:`marc2rdf.pipeline`.

Exit status: 0 all records read; 3 some records rejected (the rest written); 1 ``--strict``
stopped at the first bad record; 2 usage error or unreadable input. Bad data never prints a
traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import BinaryIO

from marc2rdf import __version__
from marc2rdf.pipeline import EXIT_STRICT, EXIT_USAGE, Run, StrictStop
from marc2rdf.readers import FORMATS, format_named
from marc2rdf.readers.base import InputError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors exit 2, as argparse does, with our prefix
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"marc2rdf: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="marc2rdf", description="Publish MARC records as linked data.")
    parser.add_argument("--version", action="version", version=f"marc2rdf {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    rec = sub.add_parser(
        "records",
        help="read MARC in any serialization and write it in another",
        description="Read MARC records (serialization detected from the content; '-' is stdin; "
        ".gz is read as such) and write them in another serialization.",
    )
    rec.add_argument("inputs", nargs="+", metavar="INPUT")
    rec.add_argument("--from", dest="from_format", metavar="FORMAT",
                     help="input serialization, when detection is not wanted: " + ", ".join(FORMATS))
    rec.add_argument("--to", default="marcjson", metavar="FORMAT",
                     help="output serialization (default marcjson, one object per line): " + ", ".join(FORMATS))
    rec.add_argument("-o", "--output", metavar="OUT", help="output file (default stdout)")
    rec.add_argument("--rejects", metavar="FILE",
                     help="keep the raw bytes of rejected records in FILE (reasons in FILE.log)")
    rec.add_argument("--strict", action="store_true", help="stop at the first bad record (exit 1)")
    rec.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                     help="show progress (default: only on a terminal)")
    rec.set_defaults(func=cmd_records)
    return parser


def _open_output(path: str | None) -> BinaryIO:
    if path in (None, "-"):
        return sys.stdout.buffer
    try:
        return open(path, "wb")
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from exc


def cmd_records(args) -> int:
    fmt = format_named(args.to)
    write = fmt.load_writer()
    run = Run(args.inputs, args.from_format, args.rejects, args.strict, progress=args.progress)
    out = _open_output(args.output)
    status = None
    try:
        out.write(fmt.header)
        for item in run.records():
            try:
                data = write(item.record)
            except ValueError as exc:
                run.reject_later(item, f"cannot be written as {fmt.name}: {exc}")
                continue
            out.write(data)
            run.counts.converted += 1
        out.write(fmt.footer)
    except StrictStop:
        status = EXIT_STRICT
    finally:
        run.close()
        if out is not sys.stdout.buffer:
            out.close()
        else:
            out.flush()
    sys.stderr.write(run.summary() + "\n")
    return status if status is not None else run.exit_status()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        sys.stderr.write(f"marc2rdf: error: {exc}\n")
        return EXIT_USAGE
    except BrokenPipeError:
        # the reader of our output went away (e.g. `| head`): not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        sys.stderr.write("marc2rdf: interrupted\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
