"""Every shortcut the readers take gives what the general path gives, on the corpus records.

Each test reads real files of ``tests/data/corpus`` once with a shortcut and once with it turned
off (or with the general code it stands for), and compares every item in full: the record's
leader and every attribute of every field, the position, the raw bytes, the repairs, the reason.
"""

import gzip
import io
import json
import unicodedata

import pytest
from pymarc import Field, Indicators, Leader, Record, Subfield

from marc2rdf.readers import base, marcjson, marcxml, mrk, read
from marc2rdf.readers.base import Read, new_field
from marc2rdf.readers.source import open_source, prepended
from marc2rdf.readers.text import Syntax, read_lines

from support import CORPUS

FILES = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in (".xml", ".json", ".mrk", ".mrc"))
XML = [p for p in FILES if p.suffix == ".xml"]
JSON = [p for p in FILES if p.suffix == ".json"]
MRK = [p for p in FILES if p.suffix == ".mrk"]


def _field(field):
    slots = [s for s in ("tag", "data", "_indicators", "subfields", "control_field")]
    out = [type(field)]
    for slot in slots:
        value = getattr(field, slot)
        out.append((slot, type(value), [(type(v), tuple(v)) for v in value] if isinstance(value, list) else value))
    out.append(hasattr(field, "_Field__pos"))
    return out


def _record(record):
    return (
        type(record), type(record.leader), str(record.leader), record.pos, record._Record__pos,
        record.force_utf8, record.to_unicode, type(record.fields), [_field(f) for f in record.fields],
    )


def _items(items):
    """Everything an item holds, comparable with ``==``."""
    out = []
    for item in items:
        if isinstance(item, Read):
            out.append(("read", item.position, item.raw, item.repairs, _record(item.record)))
        else:
            out.append(("reject", item.position, item.raw, item.reason, item.control_number))
    return out


def _slow_constructors(monkeypatch):
    for module in (base, marcxml, marcjson):
        monkeypatch.setattr(module, "new_record", base._slow_record, raising=False)
        monkeypatch.setattr(module, "data_field", base._slow_data_field, raising=False)
        monkeypatch.setattr(module, "control_field", base._slow_control_field, raising=False)


# -- records and fields without pymarc's constructors ----------------------------------------------


def test_the_fast_constructors_are_in_use():
    assert base.new_record is base._fast_record
    assert base.data_field is base._fast_data_field
    assert base.control_field is base._fast_control_field


def test_records_and_fields_as_the_constructors_make_them():
    fast = base._fast_record("00714cam a2200205 a 4500")
    slow = base._slow_record("00714cam a2200205 a 4500")
    assert _record(fast) == _record(slow)
    for path in FILES[::7]:
        for item in read(path):
            if not isinstance(item, Read):
                continue
            for field in item.record.fields:
                if field.control_field:
                    made = base._fast_control_field(field.tag, field.data)
                    by_pymarc = Field(field.tag, data=field.data)
                else:
                    made = base._fast_data_field(field.tag, field.indicators, list(field.subfields))
                    by_pymarc = Field(field.tag, field.indicators, list(field.subfields))
                assert _field(made) == _field(by_pymarc)
                assert str(made) == str(by_pymarc) and made.as_marc("utf-8") == by_pymarc.as_marc("utf-8")


def _new_field_by_pymarc(tag, ind1=" ", ind2=" ", subfields=None, data=None):
    """``new_field`` as it was, always through pymarc's constructor."""
    if data is not None:
        return Field(tag=tag, data=data)
    return Field(tag=tag, indicators=Indicators(ind1 or " ", ind2 or " "), subfields=list(subfields or []))


@pytest.mark.parametrize("tag", ["001", "009", "010", "00a", "0a1", "245", "LDR", "FMT", "1", "0100", "12",
                                 "\u0660\u0660\u0661", "", 5, 245])
@pytest.mark.parametrize("data", [None, "x y"])
@pytest.mark.parametrize("subfields", [None, [], [Subfield("a", "v"), Subfield("b", "w")]])
@pytest.mark.parametrize("indicators", [(" ", " "), ("1", "0"), ("", None)])
def test_new_field_makes_what_pymarc_makes(tag, data, subfields, indicators):
    fast = new_field(tag, *indicators, subfields=subfields, data=data)
    slow = _new_field_by_pymarc(tag, *indicators, subfields=subfields, data=data)
    assert _field(fast) == _field(slow)


def test_new_field_refuses_string_subfields_as_pymarc_does():
    for tag in ("001", "245"):
        with pytest.raises(ValueError):
            new_field(tag, subfields=["a", "x"])
        with pytest.raises(ValueError):
            _new_field_by_pymarc(tag, subfields=["a", "x"])


def test_records_read_with_pymarcs_constructors_are_the_same(monkeypatch):
    files = XML + JSON + MRK
    fast = [_items(read(p)) for p in files]
    _slow_constructors(monkeypatch)
    monkeypatch.setattr(base, "new_field", _new_field_by_pymarc)
    monkeypatch.setattr("marc2rdf.readers.text.new_field", _new_field_by_pymarc)
    monkeypatch.setattr(marcxml, "new_field", _new_field_by_pymarc)
    monkeypatch.setattr(marcjson, "new_field", _new_field_by_pymarc)
    for path, items in zip(files, fast):
        assert _items(read(path)) == items, path


# -- MARCXML -------------------------------------------------------------------------------------


def test_marcxml_element_names_as_worked_out_each_time(monkeypatch):
    fast = [_items(read(p)) for p in XML]

    class NoCache(dict):
        def get(self, key, default=None):
            return None

        def __setitem__(self, key, value):
            pass

    monkeypatch.setattr(marcxml, "_KINDS", NoCache())
    for path, items in zip(XML, fast):
        assert _items(read(path)) == items, path


def test_marcxml_odd_tags_and_indicators():
    doc = b"""<collection xmlns="http://www.loc.gov/MARC21/slim" xmlns:m="http://www.loc.gov/MARC21/slim">
<record><leader>00000nam a2200000 a 4500</leader>
<controlfield tag=" 001 ">\xc3\xa9e\xcc\x81</controlfield><controlfield tag="1">short</controlfield>
<controlfield tag="FMT">BK</controlfield><controlfield tag="010">not control</controlfield>
<datafield tag="001" ind1="1" ind2="2"><subfield code="a">data in a control tag</subfield></datafield>
<datafield tag="0245" ind1="10" ind2=""><subfield code="a">x</subfield></datafield>
<m:datafield tag="245" ind1="1" ind2="0"><m:subfield code="a">T</m:subfield><other code="b">no</other><?pi?>
<subfield code="c">e\xcc\x81</subfield></m:datafield>
</record></collection>"""
    (item,) = read(doc)
    fields = item.record.fields
    expected = [
        Field("001", data=unicodedata.normalize("NFC", "\u00e9e\u0301")),
        Field("001", data="short"),
        Field("FMT", data="BK"),
        Field("010", data="not control"),
        Field("001", Indicators("1", "2"), [Subfield("a", "data in a control tag")]),
        Field("245", Indicators("1", " "), [Subfield("a", "x")]),
        Field("245", Indicators("1", "0"), [Subfield("a", "T"), Subfield("c", "\u00e9")]),
    ]
    assert [_field(f) for f in fields] == [_field(f) for f in expected]
    assert item.repairs == ("0245 ind1 '10' cut to one character",)


# -- MARC-in-JSON ----------------------------------------------------------------------------------


def _ndjson(path):
    first = path.read_bytes().split(b"\n", 1)[0].strip()
    return first.startswith(b"{") and marcjson._complete_object(first) is not None


def test_marcjson_first_line_parsed_once_gives_what_parsing_it_again_gives():
    files = [p for p in JSON if _ndjson(p)]
    assert files
    for path in files:
        data = path.read_bytes()
        first = data.split(b"\n", 1)[0] + (b"\n" if b"\n" in data else b"")
        obj = marcjson._complete_object(first.strip())
        assert marcjson._parses_alike(first, first.strip())
        once = _items(marcjson._read_lines(first, io.BytesIO(data[len(first):]), "x", obj))
        twice = _items(marcjson._read_lines(first, io.BytesIO(data[len(first):]), "x"))
        assert once == twice, path


@pytest.mark.parametrize("line", [
    b' {"leader": "x", "fields": []}\n',  # a blank before: parsed as given
    b'{"leader": "x", "fields": []}\x0c\n',  # a form feed JSON does not skip
    b'{\x00"\x00}\x00',  # UTF-16
])
def test_marcjson_first_line_parsed_again_when_it_might_differ(line):
    assert not marcjson._parses_alike(line, line.strip())


def test_marcjson_odd_first_lines_read_as_before():
    record = b'{"leader": "00000nam a2200000 a 4500", "fields": [{"001": "x"}]}'
    for data in (record + b"\x0c\n" + record + b"\n", b" " + record + b"\n" + record, record):
        items = list(read(data))
        items_general = list(marcjson._read_lines(data.split(b"\n", 1)[0] + b"\n" if b"\n" in data else data,
                                                  io.BytesIO(data.split(b"\n", 1)[1] if b"\n" in data else b""),
                                                  "<bytes>"))
        assert _items(items) == _items(items_general)


def test_marcjson_tags_and_indicators_as_pymarc_makes_them(monkeypatch):
    obj = {"leader": "00000nam a2200000 a 4500", "fields": [
        {"001": "x"}, {"1": "short"}, {"FMT": "BK"}, {"010": "not control"},
        {"001": {"ind1": "1", "subfields": [{"a": "data in a control tag"}]}},
        {"245": {"ind1": 1, "ind2": "10", "subfields": [{"a": "e\u0301"}]}},
        {"24": {"ind1": "", "subfields": []}},
    ]}
    fast = _record(marcjson.from_dict(json.loads(json.dumps(obj)), []))
    _slow_constructors(monkeypatch)
    monkeypatch.setattr(marcjson, "new_field", _new_field_by_pymarc)
    assert _record(marcjson.from_dict(obj, [])) == fast


# -- MarcEdit .mrk ---------------------------------------------------------------------------------


def _mrk_values(path):
    """Every raw value of a .mrk file, with whether it is read with blanks (leader, control fields)."""
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.startswith("=") or len(line) < 6:
            continue
        tag = line[1:4]
        if tag == "LDR" or (tag.isdigit() and tag < "010"):
            yield line[6:], True
        else:
            for part in line[9:].split("$"):
                if part:
                    yield part[1:], False


def _by_the_decoder(raw, blanks):
    decoder = mrk.Marc8Decoder()
    return unicodedata.normalize("NFC", decoder.decode(mrk.tokenize(raw, blanks))), decoder.problems


def test_mrk_values_without_the_decoder_as_the_decoder_gives_them(monkeypatch):
    values = [v for p in MRK for v in _mrk_values(p)]
    assert any("{" in raw for raw, _ in values)
    fast = [mrk.decode_mnemonics(raw, blanks) for raw, blanks in values]
    monkeypatch.setattr(mrk, "_PLAIN_ASCII", False)  # no shortcut, printable ASCII through _byte()
    for (raw, blanks), got in zip(values, fast):
        assert got == _by_the_decoder(raw, blanks) == mrk.decode_mnemonics(raw, blanks), raw


def test_mrk_every_mnemonic_as_the_decoder_reads_it(monkeypatch):
    names = list(mrk.MNEMONICS) + ["41", "x7B", "E2", "1F", "U+0301", "U+00E9", "U+110000", "zilch", "A", "0"]
    raws = []
    for name in names:
        raws += [f"a{{{name}}}b", f"{{{name}}}", f"{{acute}}{{{name}}}e\\x", f"x{{{name}}}{{esc}}(2"]
    fast = [(mrk.decode_mnemonics(r), mrk.decode_mnemonics(r, blanks=True)) for r in raws]
    monkeypatch.setattr(mrk, "_PLAIN_ASCII", False)
    for raw, got in zip(raws, fast):
        assert got == (_by_the_decoder(raw, False), _by_the_decoder(raw, True)), raw


class _GeneralMrk(mrk.MrkSyntax):
    """The .mrk syntax on the general paths: Syntax.parse_line, every subfield through
    _subfields(), every value through decode_mnemonics()."""

    parse_line = Syntax.parse_line

    def field(self, record, line):
        text = line.text
        tag = text[1:4]
        if not mrk._TAG.fullmatch(tag) or (text[4:6] != "  " and len(text) > 4) or tag == "LDR":
            return super().field(record, line)  # the errors
        if tag.isdigit() and tag < "010":
            record.add_control(tag, text[6:], line)
            return
        indicators = text[6:8].ljust(2).replace("\\", " ")
        record.add_data(tag, line, indicators[0], indicators[1])
        data = text[8:]
        if data and not data.startswith("$"):
            return super().field(record, line)
        self._subfields(record, line, data[1:].split("$") if data else [])

    def value(self, raw, code, field, record):
        value, problems = mrk.decode_mnemonics(raw, blanks=not code)
        where = f"{field.tag}${code}" if code else field.tag
        for problem in problems:
            record.note(problem, f"{where} (line {field.line.number})")
        return value


ODD_MRK = "\n".join([
    "=LDR  00000nam\\\\2200000\\a\\4500",
    "=001  tes{dollar}1\\x",
    "=245  10$aOne$$bempty before{esc}(2abc",
    "=246  1\\$aTwo {acute}e {zilch} {U+0301} {x41}",
    "wrapped$cthree",
    "=500  \\\\text before",
    "",
    "=LDR  00000nam\\\\2200000\\a\\4500",
    "=24x  10$aBad",
    "=650  \\0$a$b",
    "",
]).encode("utf-8")


def test_mrk_read_as_on_the_general_paths(monkeypatch):
    inputs = [(p.name, p.read_bytes()) for p in MRK] + [("odd", ODD_MRK)]
    fast = [_items(mrk.read_mrk(io.BytesIO(data), name)) for name, data in inputs]
    monkeypatch.setattr(mrk, "_PLAIN_ASCII", False)
    general = _GeneralMrk()
    for (name, data), items in zip(inputs, fast):
        assert _items(read_lines(io.BytesIO(data), name, general)) == items, name


# -- opening inputs --------------------------------------------------------------------------------


class _Stream:
    """A stream with nothing but read(): what the general path of open_source is for."""

    def __init__(self, data):
        self._data = io.BytesIO(data)

    def read(self, n=-1):
        return self._data.read(n)

    def close(self):
        pass


def test_small_inputs_read_from_their_head_as_from_the_stream():
    for path in FILES:
        with open_source(path) as src:
            assert isinstance(src.stream, io.BytesIO) == (path.stat().st_size < 65536)
        by_path = _items(read(path))
        assert _items(read(_Stream(path.read_bytes()), name=str(path))) == by_path, path
        assert _items(read(path.read_bytes(), name=str(path))) == by_path, path


def test_gzip_inputs_read_from_their_head_as_from_the_stream(tmp_path):
    for path in FILES[::5]:
        packed = tmp_path / (path.name + ".gz")
        packed.write_bytes(gzip.compress(path.read_bytes()))
        expected = _items(read(_Stream(packed.read_bytes()), name=str(path)))
        assert _items(read(packed, name=str(path))) == expected == _items(read(path))


def test_the_file_under_a_source_is_closed(tmp_path):
    for data in (b"=LDR  00000nam\\\\2200000\\a\\4500\n", gzip.compress(b"=LDR  x\n"), b"=001  x\n" * 20000):
        path = tmp_path / "input"
        path.write_bytes(data)
        fh = open(path, "rb")  # noqa: SIM115
        src = open_source(fh)
        src.stream.read()
        src.close()
        assert fh.closed


class _NoReadinto(_Stream):
    pass


class _WithReadinto(_Stream):
    def readinto(self, buffer):
        return self._data.readinto(buffer)


@pytest.mark.parametrize("size", [1, 7, 4096, 1 << 20])
def test_prepended_reads_the_same_with_and_without_readinto(size):
    data = (CORPUS / "reference").joinpath(sorted(p.name for p in (CORPUS / "reference").iterdir())[0]).read_bytes()
    got = []
    for kind in (_NoReadinto, _WithReadinto):
        stream = prepended(data[:100], kind(data[100:]), 4096)
        chunks = []
        while chunk := stream.read(size):
            chunks.append(chunk)
        got.append(chunks)
    assert got[0] == got[1] and b"".join(got[0]) == data


def test_a_reader_replaced_in_its_module_is_the_one_used(monkeypatch):
    calls = []

    def reader(stream, name):
        calls.append(name)
        return iter(())

    monkeypatch.setattr(mrk, "read_mrk", reader)
    assert list(read(b"=LDR  00000nam\\\\2200000\\a\\4500\n", name="x")) == []
    assert calls == ["x"]


def test_records_keep_the_leader_they_were_given():
    record = base.new_record("01234cam a2200289 a 4500")
    assert isinstance(record, Record) and isinstance(record.leader, Leader)
    assert str(record.leader) == "01234cam a2200289 a 4500" and record.fields == []
