"""MARCXML read the quick way gives what a plain walk of every child element gives.

``_build`` lets lxml pick out the data fields and subfields by name (``{*}datafield``,
``{*}subfield``) and makes the fields of three-character tags with the constructor-free factories
straight away. The reference below is the plain formulation: every child's name worked out from
its tag, every field made by ``new_field``. Both read every XML file of the corpus (malformed
ones included) and documents made to hold the odd shapes (namespaces, undeclared prefixes, other
elements, processing instructions, comments, entities, CDATA, missing or over-long attributes,
odd tags, nested records), and every item must be the same in full.
"""

from __future__ import annotations

import io
import itertools
import unicodedata

import pytest
from lxml import etree
from pymarc import Field, Leader, Record, Subfield

from marc2rdf.readers import marcxml
from marc2rdf.readers.base import Read, new_field, new_record

from support import CORPUS

XML_FILES = sorted(p for p in CORPUS.rglob("*.xml") if p.is_file())
NS = "http://www.loc.gov/MARC21/slim"


# -- the reference: every child element named by its tag, every field made by new_field ------


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _reference_indicator(elem, attr, tag, repairs):
    value = elem.get(attr) or " "
    if len(value) != 1:
        repairs.append(f"{tag} {attr} {value!r} cut to one character")
        value = value[:1]
    return value


def _reference_build(elem, repairs):
    fields = []
    leader = None
    marc = False
    for child in elem:
        name = _local(child.tag)
        if name == "controlfield":
            marc = True
            tag = child.get("tag")
            if not tag:
                raise ValueError(f"line {child.sourceline}: controlfield without a tag")
            text = child.text or ""
            fields.append(new_field(tag.strip(), data=unicodedata.normalize("NFC", text)))
        elif name == "datafield":
            marc = True
            tag = child.get("tag")
            if not tag:
                raise ValueError(f"line {child.sourceline}: datafield without a tag")
            subfields = []
            for sf in child:
                if _local(sf.tag) != "subfield":
                    continue
                code = sf.get("code")
                if not code:
                    raise ValueError(f"line {sf.sourceline}: subfield of {tag} without a code")
                subfields.append(Subfield(code, unicodedata.normalize("NFC", sf.text or "")))
            ind1 = child.get("ind1") or " "
            ind2 = child.get("ind2") or " "
            if len(ind1) != 1 or len(ind2) != 1:
                ind1 = _reference_indicator(child, "ind1", tag, repairs)
                ind2 = _reference_indicator(child, "ind2", tag, repairs)
            fields.append(new_field(tag.strip(), ind1, ind2, subfields))
        elif name == "leader":
            marc = True
            leader = child.text or ""
    if not marc:
        return None
    record = new_record(marcxml._leader(leader, repairs))
    record.fields = fields
    return record


# -- comparing in full -----------------------------------------------------------------------------


def _value(value):
    if isinstance(value, list):
        return [(type(v), tuple(v) if isinstance(v, tuple) else v) for v in value]
    if isinstance(value, tuple):
        return (type(value), tuple(value))
    return (type(value), value)


def _field(field):
    slots = ("tag", "data", "_indicators", "subfields", "control_field")
    return [type(field), *[(s, _value(getattr(field, s))) for s in slots], hasattr(field, "_Field__pos")]


def _record(record):
    return (type(record), type(record.leader), str(record.leader), record.pos, record._Record__pos,
            record.force_utf8, record.to_unicode, type(record.fields), [_field(f) for f in record.fields])


def _items(items):
    out = []
    for item in items:
        if isinstance(item, Read):
            out.append(("read", type(item.position), item.position, item.raw, item.repairs, _record(item.record)))
        else:
            out.append(("reject", type(item.position), item.position, item.raw, item.reason, item.control_number))
    return out


def _read(data: bytes, name: str = "doc.xml"):
    return _items(marcxml.read_marcxml(io.BytesIO(data), name))


def _both(data: bytes, monkeypatch, name: str = "doc.xml"):
    quick = _read(data, name)
    with monkeypatch.context() as m:
        m.setattr(marcxml, "_build", _reference_build)
        reference = _read(data, name)
    return quick, reference


# -- the corpus ----------------------------------------------------------------------------------


def test_the_corpus_has_xml_files():
    assert len(XML_FILES) > 100
    assert any(p.parent.name == "malformed" for p in XML_FILES)


@pytest.mark.parametrize("path", XML_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_files_read_as_by_the_reference(path, monkeypatch):
    quick, reference = _both(path.read_bytes(), monkeypatch, path.name)
    assert quick == reference


# -- odd shapes ----------------------------------------------------------------------------------

LEADER = "<leader>00000nam a2200000 a 4500</leader>"
CONTROL = '<controlfield tag="001">cn1</controlfield><controlfield tag="008">800108s1899    ilu</controlfield>'
DATA = (
    '<datafield tag="100" ind1="1" ind2=" "><subfield code="a">Smith, J.</subfield></datafield>'
    '<datafield ind1="1" ind2="0" tag="245"><subfield code="a">Title :</subfield>'
    '<subfield code="b">sub &amp; more &lt;x&gt;</subfield><subfield code="c">e\u0301</subfield></datafield>'
)

# what a record holds, beside a plain leader, control fields and data fields
ODD_CONTENT = [
    "",
    '<datafield tag="500" ind1=" " ind2=" "/>',
    '<datafield tag="500" ind1=" " ind2=" "><subfield code="a"/><subfield code="b"></subfield></datafield>',
    '<datafield tag="500" ind1=" " ind2=" ">text<other code="x">no</other><subfield code="a">yes</subfield>tail</datafield>',
    '<datafield tag="500" ind1=" " ind2=" "><subfield code="a">a<subfield code="b">nested</subfield>b</subfield></datafield>',
    '<datafield tag="500" ind1=" " ind2=" "><datafield tag="501" ind1="" ind2=""><subfield code="a">inner</subfield></datafield></datafield>',
    '<datafield tag="500" ind1=" " ind2=" "><?pi <subfield code="z">fake</subfield>?><subfield code="a">x<?pi?>y</subfield></datafield>',
    '<datafield tag="500" ind1=" " ind2=" "><!-- <subfield code="z">gone</subfield> --><subfield code="a">x<!--c-->y</subfield></datafield>',
    '<datafield tag="500" ind1=" " ind2=" "><subfield code="a">x<![CDATA[<b>&amp;]]>y</subfield></datafield>',
    '<datafield tag="500" ind1=" " ind2=" "><subfield code="a">x&ent;y</subfield><subfield code="b">&#233;&#x301;&#13;</subfield></datafield>',
    '<datafield tag="500" ind1="12" ind2=""><subfield code="a">long and empty indicators</subfield></datafield>',
    '<datafield tag="500"><subfield code="a">no indicators</subfield></datafield>',
    '<datafield tag="500" ind1="\u00e9" ind2="&amp;"><subfield code="\u00e9">odd code</subfield></datafield>',
    '<datafield tag=" 500 " ind1="1" ind2="2"><subfield code="a">spaces</subfield></datafield>',
    '<datafield tag="0245" ind1="1" ind2="2"><subfield code="a">four</subfield></datafield>',
    '<datafield tag="24" ind1="1" ind2="2"><subfield code="a">two</subfield></datafield>',
    '<datafield tag="001" ind1="1" ind2="2"><subfield code="a">control tag</subfield></datafield>',
    '<datafield tag="009" ind1="1" ind2="2"/><datafield tag="00a" ind1="1" ind2="2"/><datafield tag="010" ind1="1" ind2="2"/>',
    '<datafield tag="\u0660\u0660\u0661" ind1="1" ind2="2"><subfield code="a">Arabic-Indic digits</subfield></datafield>',
    '<datafield tag="FMT" ind1=" " ind2=" "><subfield code="a">letters</subfield></datafield>',
    '<controlfield tag="010">not a control tag</controlfield><controlfield tag="FMT">BK</controlfield>',
    '<controlfield tag=" 005 ">20200101</controlfield><controlfield tag="5">short</controlfield>',
    '<controlfield tag="\u0660\u0660\u0661">digits</controlfield><controlfield tag="003">a<b>b</b>c</controlfield>',
    '<controlfield tag="007"/><controlfield tag="006">e\u0301</controlfield>',
    '<subfield code="a">a subfield outside a data field</subfield><other>other</other>',
    '<x:datafield xmlns:x="urn:other" tag="650" ind1=" " ind2="0"><x:subfield code="a">other namespace</x:subfield>'
    '<subfield code="b">none</subfield></x:datafield>',
    '<datafield xmlns="" tag="651" ind1=" " ind2="0"><subfield code="a">no namespace</subfield></datafield>',
    '<datafield tag="652" ind1=" " ind2="0" xml:lang="en" extra="1"><subfield code="a" extra="2">more attributes</subfield></datafield>',
    '<datafield tag="653" ind1=" " ind2="0" m:tag="999" xmlns:m="urn:m"><subfield m:code="z" code="a">namespaced attributes</subfield></datafield>',
    "<leader>second leader, too short</leader>",
    "<leader/>",
    '<record><leader>00000nam a2200000 a 4500</leader><controlfield tag="001">nested</controlfield></record>',
]

# faults that make the reading of a record stop with a reason
FAULTS = [
    '<datafield ind1=" " ind2=" "><subfield code="a">no tag</subfield></datafield>',
    '<datafield tag="" ind1=" " ind2=" "/>',
    '<datafield tag="500" ind1=" " ind2=" "><subfield>no code</subfield></datafield>',
    '<datafield tag="500" ind1=" " ind2=" "><subfield code="">empty code</subfield></datafield>',
    '<datafield tag="500" ind1=" " ind2=" "><other/><subfield code="a">x</subfield><subfield/></datafield>',
    "<controlfield>no tag</controlfield>",
    '<controlfield tag="">empty tag</controlfield>',
    '<controlfield tag="001">cn9</controlfield><datafield ind1=" " ind2=" "/>',
]

DTD = '<!DOCTYPE collection [<!ENTITY ent "expanded"><!ENTITY amp "&#38;#38;">]>'


def _document(content: str, *, prefix: str = "", declare: bool = True, dtd: bool = False) -> bytes:
    p = f"{prefix}:" if prefix else ""
    xmlns = (f' xmlns:{prefix}="{NS}"' if prefix else f' xmlns="{NS}"') if declare else ""
    record = f"<{p}record>{content}</{p}record>"
    if prefix:
        # every MARC element with the prefix; an unprefixed one (not MARC) stays so
        record = record.replace("<leader", f"<{p}leader").replace("</leader", f"</{p}leader")
        for name in ("controlfield", "datafield", "subfield"):
            record = record.replace(f"<{name}", f"<{p}{name}").replace(f"</{name}", f"</{p}{name}")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + (DTD if dtd else "")
        + f"<collection{xmlns}>\n  <!-- a comment -->\n  <?pi before?>\n  "
        + record
        + "\n  <record><leader>00000cam a2200000 a 4500</leader>" + CONTROL + DATA + "</record>\n"
        + "</collection>\n"
    ).encode("utf-8")


def _variants():
    for content in ODD_CONTENT + FAULTS:
        for layout in (
            LEADER + CONTROL + content + DATA,
            content + LEADER + DATA + CONTROL,
            "\n   " + LEADER + "\n   " + CONTROL + "\n   " + DATA + "text " + content + "\n   ",
        ):
            for prefix, declare, dtd in (("", True, False), ("", False, False), ("marc", True, False),
                                         ("marc", False, False), ("", True, True)):
                yield _document(layout, prefix=prefix, declare=declare, dtd=dtd)


VARIANTS = list(_variants())


def test_the_variants_have_the_shapes_they_are_for():
    items = [item for data in VARIANTS for item in marcxml.read_marcxml(io.BytesIO(data), "x")]
    reasons = [item.reason for item in items if not isinstance(item, Read)]
    repairs = [r for item in items if isinstance(item, Read) for r in item.repairs]
    assert sum(isinstance(item, Read) for item in items) > 500
    for reason in ("controlfield without a tag", "datafield without a tag", "without a code",
                   "XML is not well-formed: Namespace prefix", "no MARC data"):
        assert any(reason in r for r in reasons), reason
    for repair in ("cut to one character", "leader of", "no leader"):
        assert any(repair in r for r in repairs), repair


@pytest.mark.parametrize("chunk", range(0, len(VARIANTS), 50))
def test_odd_shapes_read_as_by_the_reference(chunk, monkeypatch):
    for data in VARIANTS[chunk:chunk + 50]:
        quick, reference = _both(data, monkeypatch)
        assert quick == reference, data


def test_sru_and_oai_wrappers_read_as_by_the_reference(monkeypatch):
    record = f'<marc:record xmlns:marc="{NS}">{LEADER}{CONTROL}{DATA}</marc:record>'.replace(
        "<controlfield", "<marc:controlfield").replace("</controlfield", "</marc:controlfield").replace(
        "<datafield", "<marc:datafield").replace("</datafield", "</marc:datafield").replace(
        "<subfield", "<marc:subfield").replace("</subfield", "</marc:subfield").replace(
        "<leader", "<marc:leader").replace("</leader", "</marc:leader")
    sru = (
        '<searchRetrieveResponse xmlns="http://www.loc.gov/zing/srw/"><records>'
        + "".join(f"<record><recordData>{record}</recordData></record>" for _ in range(3))
        + "</records></searchRetrieveResponse>"
    ).encode()
    oai = (
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords>'
        + "".join(f"<record><header/><metadata>{record}</metadata></record>" for _ in range(3))
        + "<record><header/><metadata><dc>not MARC</dc></metadata></record>"
        + "</ListRecords></OAI-PMH>"
    ).encode()
    for data in (sru, oai):
        quick, reference = _both(data, monkeypatch)
        assert quick == reference
        assert sum(1 for item in quick if item[0] == "read") == 3


# -- the patterns lxml matches -----------------------------------------------------------------


def test_lxml_picks_out_the_children_kind_names_datafield_and_subfield():
    names = ["datafield", "subfield", "controlfield", "leader", "datafieldx", "xsubfield", "Datafield"]
    children = "".join(
        f"<{p}{n}/>" for p, n in itertools.product(["", "m:", "o:", "u:"], names)
    ) + "<?datafield?><!--subfield-->&ent;<![CDATA[datafield]]>"
    doc = (
        '<!DOCTYPE r [<!ENTITY ent "x">]>'
        f'<r xmlns:m="{NS}" xmlns:o="urn:other"><e xmlns="urn:default">{children}</e></r>'
    ).encode()
    parser = etree.iterparse(io.BytesIO(doc), events=("end",), tag="{*}e", resolve_entities=False,
                             load_dtd=False, remove_comments=False)
    elems = []
    with pytest.raises(etree.XMLSyntaxError):  # the undeclared prefix u:
        for _, elem in parser:
            elems.append(elem)
    (elem,) = elems
    assert len(elem) > 4 * len(names)
    for pattern, name in ((marcxml._DATAFIELD, "datafield"), (marcxml._SUBFIELD, "subfield")):
        picked = set(elem.iterchildren(pattern))
        named = {child for child in elem if marcxml._kind(child.tag) == name}
        assert picked == named
        assert len(named) == 3  # no prefix, m: and o:; not the undeclared u:


def test_fields_of_every_kind_of_tag_as_new_field_makes_them():
    tags = ["001", "009", "00a", "010", "245", "FMT", "24", "0245", "", "\u0660\u0660\u0661", "1"]
    fields = "".join(
        f'<controlfield tag="{t}">d</controlfield><datafield tag="{t}" ind1="1" ind2="2">'
        f'<subfield code="a">v</subfield></datafield>'
        for t in tags if t
    )
    (item,) = marcxml.read_marcxml(io.BytesIO(f'<record xmlns="{NS}">{LEADER}{fields}</record>'.encode()), "x")
    expected = []
    for t in tags:
        if t:
            expected.append(new_field(t, data="d"))
            expected.append(new_field(t, "1", "2", [Subfield("a", "v")]))
    assert [_field(f) for f in item.record.fields] == [_field(f) for f in expected]
    # and so pymarc's constructors make them
    pymarc_made = []
    for t in tags:
        if t:
            pymarc_made.append(Field(t, data="d"))
            pymarc_made.append(Field(t, ["1", "2"], [Subfield("a", "v")]))
    assert [str(f) for f in item.record.fields] == [str(f) for f in pymarc_made]
    assert isinstance(item.record, Record) and isinstance(item.record.leader, Leader)
