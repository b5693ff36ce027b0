"""MARC-in-JSON: a single object, an array, newline-delimited; invalid JSON rejected with its place."""

import io
import json

import pymarc
import pytest

from marc2rdf.readers import read, write_records
from marc2rdf.readers.base import Read, Reject

from support import CORPUS, assert_same_record, manifest

JSON_FILES = [row for row in manifest() if row["file"].startswith("json/")]


def pymarc_json(path):
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    if text.lstrip().startswith("[") or "\n{" not in text.strip():
        return list(pymarc.JSONReader(text))
    return [r for line in text.splitlines() if line.strip() for r in pymarc.JSONReader(line)]


@pytest.mark.parametrize("row", JSON_FILES, ids=lambda r: r["file"])
def test_reads_what_pymarc_reads(row):
    path = CORPUS / row["file"]
    items = list(read(path))
    theirs = pymarc_json(path)
    assert len(items) == len(theirs) == int(row["records_pymarc"])
    for n, (item, record) in enumerate(zip(items, theirs), 1):
        assert isinstance(item, Read), item
        assert item.position.ordinal == n
        assert_same_record(item.record, record, f"{row['file']} #{n}")


def test_ndjson_positions_are_lines_and_offsets():
    path = CORPUS / "json/traject__test_data.utf8.json"
    items = list(read(path))
    data = path.read_bytes()
    starts = [0] + [i + 1 for i, b in enumerate(data) if b == 0x0A][:-1]
    assert [i.position.offset for i in items] == starts[: len(items)]
    assert [i.position.line for i in items] == list(range(1, 31))
    assert b"".join(i.raw for i in items) == data


@pytest.mark.parametrize(
    "name", ["marc4j__illegal-marc-in-json.json", "marc4j__marc-json.json", "pymarc__test.json",
             "marc4j__summerland-marc-json.json", "marc4j__summerland-indented-marc-json.json"]
)
def test_invalid_json_is_rejected_and_kept(name):
    path = CORPUS / "malformed" / name
    items = list(read(path))
    assert len(items) == 1 and isinstance(items[0], Reject)
    assert "invalid JSON at line" in items[0].reason
    # every byte after the record's start is kept for the reject file
    data = path.read_bytes()
    assert data.endswith(items[0].raw) and len(items[0].raw) >= len(data.strip()) - 1


def test_a_bad_record_in_an_array_costs_only_itself():
    good = json.loads((CORPUS / "json/yaz__marc1.json").read_text(encoding="utf-8"))
    doc = json.dumps([good, {"leader": 5, "fields": []}, good, {"leader": "x" * 24, "fields": [{"245": 3}]}])
    items = list(read(doc.encode()))
    assert [type(i).__name__ for i in items] == ["Read", "Reject", "Read", "Reject"]
    assert "no leader" in items[1].reason and "(245)" in items[3].reason
    assert items[1].position.ordinal == 2 and items[1].position.offset > 0


def test_ndjson_bad_line_is_rejected_alone():
    lines = (CORPUS / "json/traject__test_data.utf8.json").read_bytes().splitlines(keepends=True)
    data = lines[0] + b'{"leader": "broken\n' + lines[1]
    items = list(read(data))
    assert [type(i).__name__ for i in items] == ["Read", "Reject", "Read"]
    assert items[1].position.line == 2


def test_writer_is_one_object_per_line_and_round_trips():
    records = [i.record for i in read(CORPUS / "json/traject__test_data.utf8.json")]
    buf = io.BytesIO()
    write_records(records, buf, "marcjson")
    lines = buf.getvalue().splitlines()
    assert len(lines) == 30 and all(json.loads(line)["leader"] for line in lines)
    for a, b in zip((i.record for i in read(buf.getvalue())), records):
        assert_same_record(a, b)
