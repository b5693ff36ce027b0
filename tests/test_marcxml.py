"""MARCXML: collections, single records, SRU and OAI-PMH wrappers, malformed documents."""

import io

import pymarc
import pytest

from marc2rdf.readers import read, write_records
from marc2rdf.readers.base import Read, Reject

from support import CORPUS, assert_same_record, manifest

XML_FILES = [row for row in manifest() if row["format"].startswith("MARCXML") and row["file"].startswith("marcxml/")]
# pymarc turns a <record> with no MARC content into an empty Record; we reject it with a reason.
NOT_MARC = {
    "marcxml/perl-marc__marc-xml_empty-record.xml",
    "marcxml/perl-marc__marc-xml_empty-record-2.xml",
    "marcxml/traject__namespace-test.xml",
    "marcxml/traject__sample-oai-pmh.xml",  # OAI-PMH with oai_dc metadata, not MARC
    "marcxml/traject__sample-oai-no-namespace.xml",
}


@pytest.mark.parametrize("row", XML_FILES, ids=lambda r: r["file"])
def test_reads_what_pymarc_reads(row):
    path = CORPUS / row["file"]
    items = list(read(path))
    theirs = pymarc.parse_xml_to_array(str(path))
    assert len(theirs) == int(row["records_pymarc"])
    assert len(items) == len(theirs)
    if row["file"] in NOT_MARC:
        assert all(isinstance(i, Reject) and "no MARC data" in i.reason for i in items)
        assert all(not t.fields for t in theirs)
        return
    assert all(isinstance(i, Read) for i in items), [i for i in items if isinstance(i, Reject)]
    for n, (item, record) in enumerate(zip(items, theirs), 1):
        assert item.position.ordinal == n
        assert item.position.line >= 1
        assert_same_record(item.record, record, f"{row['file']} #{n}")


def test_sru_wrapped_records_are_found():
    items = list(read(CORPUS / "marcxml/metafacture__sru_dnb-241be368-d2a1-427a-a554-667b67f69ef8.xml"))
    assert len(items) == 5 and all(isinstance(i, Read) for i in items)


@pytest.mark.parametrize(
    "name, reason",
    [
        ("marc4j__chabon-missing-controlfield-tag.xml", "controlfield without a tag"),
        ("marc4j__chabon-missing-datafield-tag.xml", "datafield without a tag"),
        ("marc4j__chabon-missing-subfield-code.xml", "without a code"),
        ("perl-marc__marc-xml_invalid.xml", "no MARC <record> element"),
    ],
)
def test_malformed_documents_are_rejected_with_a_position(name, reason):
    path = CORPUS / "malformed" / name
    items = list(read(path))
    rejects = [i for i in items if isinstance(i, Reject)]
    assert rejects and reason in rejects[0].reason
    assert rejects[0].position.line is not None
    assert all(r.raw for r in rejects)


def test_syntax_error_keeps_the_records_before_it_and_the_rest_as_raw():
    good = (CORPUS / "marcxml/marc4j__chabon.xml").read_bytes()
    broken = good.replace(b"</collection>", b"<record><leader>oops</record></collection>")
    items = list(read(broken))
    assert [type(i).__name__ for i in items] == ["Read", "Read", "Reject"]
    assert b"<leader>oops" in items[-1].raw
    assert items[-1].position.ordinal == 3


def test_no_entity_expansion():
    doc = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<record xmlns="http://www.loc.gov/MARC21/slim"><leader>00000nam a2200000 a 4500</leader>'
        b'<datafield tag="245" ind1="0" ind2="0"><subfield code="a">&x;</subfield></datafield></record>'
    )
    items = list(read(doc))
    assert len(items) == 1
    if isinstance(items[0], Read):
        assert "root:" not in items[0].record["245"]["a"] if items[0].record["245"]["a"] else True
        assert items[0].record["245"].get("a") in (None, "")


def test_writer_round_trip_and_escaping():
    records = [i.record for i in read(CORPUS / "marcxml/marc2bibframe2__princeton.xml")]
    records[0]["245"].add_subfield("c", "A & B <c> \"q\" ]]>")
    buf = io.BytesIO()
    assert write_records(records, buf, "marcxml") == 99
    again = [i.record for i in read(buf.getvalue())]
    assert len(again) == 99
    for a, b in zip(again, records):
        assert_same_record(a, b)
    # and pymarc reads what we write
    theirs = pymarc.parse_xml_to_array(io.BytesIO(buf.getvalue()))
    for a, b in zip(theirs, records):
        assert_same_record(a, b)
