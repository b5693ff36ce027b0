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
from marc2rdf.mapping.spec import MappingError
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

    conv = sub.add_parser(
        "convert",
        help="convert MARC records to RDF (BIBFRAME 2 by default)",
        description="Map MARC records to RDF with one or more profiles and write the triples.",
    )
    conv.add_argument("inputs", nargs="+", metavar="INPUT")
    conv.add_argument("--from", dest="from_format", metavar="FORMAT", help="input serialization (default: detected)")
    conv.add_argument("-p", "--profile", action="append", metavar="PROFILE",
                      help="a shipped profile name or a profile file; repeat for several (default bibframe)")
    conv.add_argument("-t", "--to", default="nt", metavar="FORMAT", help="RDF format: nt (default), turtle")
    conv.add_argument("-o", "--output", metavar="OUT", help="output file (default stdout)")
    conv.add_argument("--base", metavar="IRI", help="base IRI of minted nodes (default http://example.org/)")
    conv.add_argument("--rejects", metavar="FILE",
                      help="keep the raw bytes of rejected records in FILE (reasons in FILE.log)")
    conv.add_argument("--strict", action="store_true", help="stop at the first bad record (exit 1)")
    conv.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                      help="show progress (default: only on a terminal)")
    conv.set_defaults(func=cmd_convert)

    exp = sub.add_parser("explain", help="show a record's triples, each with the rule that made it")
    exp.add_argument("input", metavar="INPUT")
    exp.add_argument("--record", type=int, default=1, metavar="N", help="which record of the input (1-based)")
    exp.add_argument("--from", dest="from_format", metavar="FORMAT")
    exp.add_argument("-p", "--profile", action="append", metavar="PROFILE")
    exp.add_argument("--base", metavar="IRI")
    exp.set_defaults(func=cmd_explain)

    prof = sub.add_parser("profiles", help="list the shipped profiles, their rules and the transforms")
    prof.add_argument("name", nargs="?", help="a profile to list the rules of")
    prof.set_defaults(func=cmd_profiles)
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


def cmd_convert(args) -> int:
    from marc2rdf.mapping import load_mappers
    from marc2rdf.serialize import open_sink
    from marc2rdf.vocab import PREFIXES

    mappers = load_mappers(args.profile or ["bibframe"], args.base)
    run = Run(args.inputs, args.from_format, args.rejects, args.strict, progress=args.progress)
    out = _open_output(args.output)
    prefixes = {p: PREFIXES[p] for p in ("rdf", "rdfs", "xsd", "bf", "bflc", "madsrdf", "relators", "schema")}
    sink = open_sink(args.to, out, prefixes)
    status = None
    try:
        sink.begin()
        for item in run.records():
            try:
                triples = [t for m in mappers for t in m.map(item.record)]
            except Exception as exc:  # a mapping fault costs this record, never the batch
                run.reject_later(item, f"cannot be mapped: {type(exc).__name__}: {exc}")
                continue
            sink.write(triples)
            run.counts.converted += 1
        sink.end()
    except StrictStop:
        status = EXIT_STRICT
    finally:
        run.close()
        if out is not sys.stdout.buffer:
            out.close()
        else:
            out.flush()
    sys.stderr.write(run.summary("converted") + f", {sink.triples:,} triples\n")
    return status if status is not None else run.exit_status()


def cmd_explain(args) -> int:
    from marc2rdf.mapping import load_mappers
    from marc2rdf.readers import read
    from marc2rdf.readers.base import Read

    mappers = load_mappers(args.profile or ["bibframe"], args.base)
    for n, item in enumerate(read(args.input, args.from_format), 1):
        if n < args.record:
            continue
        if not isinstance(item, Read):
            sys.stderr.write(f"rejected {item.message()}\n")
            return 3
        for mapper in mappers:
            for rule, (s, p, o) in mapper.explain(item.record):
                sys.stdout.write(f"{mapper.name}:{rule}\t{s} {p} {o} .\n")
        return 0
    sys.stderr.write(f"marc2rdf: error: {args.input} has fewer than {args.record} records\n")
    return EXIT_USAGE


def cmd_profiles(args) -> int:
    from marc2rdf.mapping import Profile, profile_path, shipped_profiles
    from marc2rdf.mapping.transforms import describe

    if args.name:
        profile = Profile(profile_path(args.name))
        for rule, file in profile.rules:
            sys.stdout.write(f"{rule['id']}\t{rule.get('match')}\t{os.path.basename(file)}\n")
        return 0
    for name, path in shipped_profiles().items():
        sys.stdout.write(f"{name}\t{Profile(path).description}\n")
    sys.stdout.write("\ntransforms:\n")
    for name, doc in describe():
        sys.stdout.write(f"  {name}\t{doc}\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (InputError, MappingError) as exc:
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
