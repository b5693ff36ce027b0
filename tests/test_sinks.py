"""Records written many at once (as a worker sends them) give the bytes of records written one by
one; the vocabularies gathered over many records are those of each record."""

from __future__ import annotations

import io

import pytest

from marc2rdf.serialize import DumpSink, Sink, make_format, vocabularies
from marc2rdf.serialize.base import Vocabularies
from marc2rdf.serialize.sinks import Records
from marc2rdf.vocab import PREFIXES

RDF_TYPE = f"<{PREFIXES['rdf']}type>"


def record(i: int) -> list[tuple[str, str, str]]:
    """Record ``i``'s triples; every third one has none."""
    work = f"<http://example.org/{i}#Work>"
    if i % 3 == 2:
        return []
    return [(work, RDF_TYPE, f"<{PREFIXES['bf']}Work>"), (work, f"<{PREFIXES['bf']}note>", f'"note {i}"'),
            (work, f"<http://example.org/ns{i % 2}/p>", '"x"'), (work, RDF_TYPE, '"not a class"')]


RECORDS = [record(i) for i in range(20)]
CUTS = [0, 1, 4, 4, 11, 20]  # pieces of several records, one, none


@pytest.mark.parametrize("name", ["nt", "turtle", "jsonld", "jsonld-lines", "xml"])
def test_records_written_at_once_are_the_records_written_one_by_one(name):
    fmt = make_format(name)
    data = [fmt.record(t) for t in RECORDS]
    block = Records.joined(fmt.separator, data, [len(t) for t in RECORDS])
    assert [block.record(i) for i in range(len(block))] == data
    one, many = io.BytesIO(), io.BytesIO()
    sink = Sink(one, fmt)
    for d, t in zip(data, RECORDS):
        sink.write_record(d, len(t))
    sink.end()
    at_once = Sink(many, fmt)
    for start, stop in zip(CUTS, CUTS[1:]):
        at_once.write_records(block, start, stop)
    at_once.end()
    assert many.getvalue() == one.getvalue()
    assert (at_once.records, at_once.triples) == (sink.records, sink.triples) == (20, sum(map(len, RECORDS)))


@pytest.mark.parametrize("name", ["nt", "jsonld"])
def test_a_dump_cuts_records_written_at_once_into_the_same_shards(tmp_path, name):
    fmt = make_format(name)
    data = [fmt.record(t) for t in RECORDS]
    block = Records.joined(fmt.separator, data, [len(t) for t in RECORDS])
    one, many = DumpSink(str(tmp_path / "one"), fmt, 3), DumpSink(str(tmp_path / "many"), fmt, 3)
    for d, t in zip(data, RECORDS):
        one.write_record(d, len(t))
    for start, stop in zip(CUTS, CUTS[1:]):
        many.write_records(block, start, stop)
    one.end()
    many.end()
    assert one.shards == many.shards and len(one.shards) == 7
    assert (tmp_path / "one" / "manifest.json").read_bytes() == (tmp_path / "many" / "manifest.json").read_bytes()


def test_vocabularies_gathered_over_records_are_those_of_each_record():
    gathered = Vocabularies()
    for triples in RECORDS:
        gathered.add(triples)
    each = set().union(*map(vocabularies, RECORDS))
    assert gathered.namespaces() == each == {PREFIXES["rdf"], PREFIXES["bf"], "http://example.org/ns0/",
                                            "http://example.org/ns1/"}
