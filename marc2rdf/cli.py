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
from marc2rdf.enrich.options import add_arguments as add_enrich_arguments
from marc2rdf.mapping.spec import MappingError
from marc2rdf.pipeline import EXIT_STRICT, EXIT_USAGE, Run, StrictStop
from marc2rdf.readers import FORMATS, format_named
from marc2rdf.readers.base import InputError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors exit 2, as argparse does, with our prefix
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"marc2rdf: error: {message}\n")


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    """What every command that reads records takes: the reject file, --strict, progress."""
    parser.add_argument("--rejects", metavar="FILE",
                        help="keep the raw bytes of rejected records in FILE (reasons in FILE.log)")
    parser.add_argument("--strict", action="store_true", help="stop at the first bad record (exit 1)")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="show progress (default: only on a terminal)")


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
    _add_run_options(rec)
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
    conv.add_argument("-t", "--to", metavar="FORMAT",
                      help="RDF format: nt (default), nq (a named graph per record), turtle, jsonld, xml")
    conv.add_argument("--jsonld-lines", action="store_true",
                      help="JSON-LD, one compact document per line (for search indexes)")
    conv.add_argument("--jsonld-context", metavar="IRI",
                      help="refer to the JSON-LD context by this IRI (where it is published) instead of inlining it")
    conv.add_argument("-o", "--output", metavar="OUT", help="output file (default stdout); a directory with --shard-size")
    conv.add_argument("--shard-size", type=int, metavar="N",
                      help="write a dump: OUT is a directory of shards of N records, manifest.json and void.ttl")
    conv.add_argument("--gzip", action="store_true", help="gzip the output (each shard of a dump)")
    conv.add_argument("--license", metavar="IRI", help="the dump's licence, for its void.ttl")
    conv.add_argument("--base", metavar="IRI", help="base IRI of minted nodes (default http://example.org/)")
    conv.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                      help="convert on N processes (0: one per CPU); with --engine dask, the local cluster's size")
    conv.add_argument("--engine", choices=("local", "dask"), default="local",
                      help="local processes (default) or Dask (a local cluster, or --scheduler)")
    conv.add_argument("--scheduler", metavar="ADDRESS", help="the Dask scheduler to use (tcp://host:8786)")
    _add_run_options(conv)
    add_enrich_arguments(conv)
    conv.set_defaults(func=cmd_convert)

    load = sub.add_parser(
        "load",
        help="load MARC records (converted) or RDF files into a triple store, a named graph per record",
        description="Convert MARC records as `convert` does, or read RDF files as they are (.nt .nq .ttl .trig "
        ".jsonld .rdf, by extension), into an embedded store (--store) or a SPARQL 1.1 store over HTTP "
        "(--endpoint). A record's graph is {base}{record id}; loading it again replaces it.",
    )
    load.add_argument("inputs", nargs="+", metavar="INPUT")
    target = load.add_mutually_exclusive_group(required=True)
    target.add_argument("--store", metavar="DIR", help="the embedded Oxigraph store (a directory, created if missing)")
    target.add_argument("--endpoint", metavar="URL",
                        help="a store over HTTP: its Graph Store Protocol URL (or its update URL with --protocol update)")
    load.add_argument("--protocol", choices=("gsp", "update"),
                      help="gsp: PUT a graph per record (default); update: SPARQL Update, a request per batch")
    load.add_argument("--update-endpoint", metavar="URL",
                      help="with --protocol gsp, the store's SPARQL Update URL, to write the dataset description")
    load.add_argument("--dry-run", action="store_true", help="print the requests instead of sending them")
    load.add_argument("--retries", type=int, default=5, metavar="N", help="retries of a failed request (default 5)")
    load.add_argument("--batch-size", type=int, metavar="N",
                      help="records a batch (default 1000 embedded, 100 over HTTP)")
    load.add_argument("--from", dest="from_format", metavar="FORMAT",
                      help="input serialization (default: detected); rdf: every input is an RDF file")
    load.add_argument("-p", "--profile", action="append", metavar="PROFILE",
                      help="a shipped profile name or a profile file; repeat for several (default bibframe)")
    load.add_argument("--base", metavar="IRI", help="base IRI of minted nodes and graphs (default http://example.org/)")
    load.add_argument("--graph", metavar="IRI", help="the graph of RDF files' triples (default: each file's file: IRI)")
    _add_run_options(load)
    load.set_defaults(func=cmd_load)

    query = sub.add_parser(
        "query",
        help="run a SPARQL 1.1 query on a store",
        description="Run a SPARQL query ('QUERY', or @FILE.rq) with the profiles' prefixes declared. On --store the "
        "default graph is the union of the record graphs.",
    )
    query.add_argument("query", metavar="QUERY", help="the query, or @FILE to read it from FILE")
    where = query.add_mutually_exclusive_group(required=True)
    where.add_argument("--store", metavar="DIR", help="the embedded store")
    where.add_argument("--endpoint", metavar="URL", help="a SPARQL 1.1 query endpoint")
    query.add_argument("-f", "--format", default="table", metavar="FORMAT",
                       help="SELECT, ASK: table (default), csv, tsv, json, xml; CONSTRUCT, DESCRIBE: turtle "
                       "(default), nt, jsonld, rdfxml, n3")
    query.add_argument("-o", "--output", metavar="OUT", help="output file (default stdout)")
    query.set_defaults(func=cmd_query)

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


def _convert_settings(args):
    """The conversion the options ask for; contradictory options are usage errors."""
    from marc2rdf.mapping.terms import is_absolute_iri
    from marc2rdf.parallel import Settings
    from marc2rdf.serialize import format_name

    fmt = format_name(args.to or "nt")
    if args.jsonld_lines:
        if args.to and fmt not in ("jsonld", "jsonld-lines"):
            raise InputError(f"--jsonld-lines writes JSON-LD, not {args.to}")
        fmt = "jsonld-lines"
    if args.jsonld_context and not fmt.startswith("jsonld"):
        raise InputError("--jsonld-context is for JSON-LD output (-t jsonld)")
    if args.shard_size is not None and args.output in (None, "-"):
        raise InputError("--shard-size writes a dump: name its directory with -o DIR")
    if args.shard_size is not None and args.shard_size < 1:
        raise InputError("--shard-size is a number of records, at least 1")
    if args.license and (args.shard_size is None or not is_absolute_iri(args.license)):
        raise InputError("--license is an absolute IRI, for a dump's void.ttl (with --shard-size)")
    if args.scheduler and args.engine != "dask":
        raise InputError("--scheduler is for --engine dask")
    if args.jobs < 0:
        raise InputError("--jobs is a number of processes (0: one per CPU)")
    return Settings(tuple(args.profile or ["bibframe"]), args.base, fmt, args.jsonld_context,
                    vocabularies=args.shard_size is not None)


def cmd_convert(args) -> int:
    from marc2rdf.parallel import convert, converter
    from marc2rdf.serialize import DumpSink, Sink

    settings = _convert_settings(args)
    conv = converter(settings)  # profile errors stop the run before any reading
    jobs = args.jobs or os.cpu_count() or 1
    run = Run(args.inputs, args.from_format, args.rejects, args.strict, progress=args.progress)
    dump = args.shard_size is not None
    out = None
    if dump:
        sink = DumpSink(args.output, conv.format, args.shard_size, args.gzip, args.license,
                        uri_space=conv.mappers[0].base)
    else:
        out = _open_output(args.output)
        sink = Sink(out, conv.format, compress=args.gzip)
    enricher = None
    if args.enrich:  # authority links: a stage of its own between the mapping and the sink
        from marc2rdf.enrich.options import open_stage

        settings, sink, enricher = open_stage(args, settings, conv, sink, run.progress.enabled)
    status = None
    try:
        sink.begin()
        convert(run, settings, sink, jobs, args.engine, args.scheduler)
        c = run.counts
        sink.end(generator=f"marc2rdf {__version__}", profiles=list(settings.profiles),
                 base=conv.mappers[0].base, license=args.license,
                 inputs=[{"path": p, "bytes": os.path.getsize(p) if os.path.isfile(p) else None} for p in args.inputs],
                 records_read=c.read, records_rejected=c.rejected)
    except StrictStop:
        status = EXIT_STRICT
    finally:
        if enricher is not None:
            sink.close()  # records still held, and the review report
        run.close()
        if out is not None and out is not sys.stdout.buffer:
            out.close()
        elif out is not None:
            out.flush()
    where = f" in {len(sink.shards)} shard(s) in {args.output}" if dump else ""
    sys.stderr.write(run.summary("converted") + f", {sink.triples:,} triples{where}\n")
    if enricher is not None:
        sys.stderr.write(enricher.summary() + "\n")
    return status if status is not None else run.exit_status()


def cmd_load(args) -> int:
    from marc2rdf.mapping import load_mappers
    from marc2rdf.store import StoreError
    from marc2rdf.store.load import Load, open_writer, split_inputs

    mappers = load_mappers(args.profile or ["bibframe"], args.base)
    marc, rdf_files = split_inputs(args.inputs, args.from_format)
    try:
        writer = open_writer(args, mappers[0].base)
    except StoreError as exc:
        raise InputError(str(exc)) from None
    run = Run(marc, args.from_format if marc else None, args.rejects, args.strict, progress=args.progress)
    load = Load(run, writer, mappers, args.graph)
    status = None
    try:
        load.rdf_files(rdf_files)
        load.records()
        load.finish([m.name for m in mappers])
    except StrictStop:
        status = EXIT_STRICT
    except StoreError as exc:  # the store went away or refused: what was loaded stays, a re-run completes it
        sys.stderr.write(f"marc2rdf: error: {exc}\n")
        status = EXIT_USAGE
    finally:
        run.close()
    sys.stderr.write(load.summary() + "\n")
    return status if status is not None else run.exit_status()


def cmd_query(args) -> int:
    from marc2rdf.store import StoreError, open_store
    from marc2rdf.store.query import FORMATS, query, query_endpoint, query_text, write_results

    if args.format not in FORMATS:
        raise InputError(f"unknown --format {args.format!r}; known: {', '.join(FORMATS)}")
    sparql = query_text(args.query)
    try:
        results = query_endpoint(args.endpoint, sparql) if args.endpoint else query(open_store(args.store, True), sparql)
    except StoreError as exc:
        raise InputError(str(exc)) from None
    out = _open_output(args.output)
    try:
        write_results(results, args.format, out)
    finally:
        if out is not sys.stdout.buffer:
            out.close()
        else:
            out.flush()
    return 0


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
