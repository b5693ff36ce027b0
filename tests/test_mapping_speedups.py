"""The mapping engine's shortcuts give what the plain way gives, on every record of the corpus.

Each shortcut has a slower, obvious formulation; these tests run both on real records (and on
generated edge cases) and ask for the same result, order included:

* each rule's generated function (``fuse.fuse_rule``) against its compiled pieces run one by one;
* the record's content key (for blank-node labels) against a join of each field's text;
* the index of a record with 880s against the pairing written field by field with pymarc;
* the record id found in that index against the one found with pymarc's ``get_fields``;
* the final-period rule of ``trim_punctuation`` against the regular expression it replaced.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pymarc import Field, Indicators, Record, Subfield

from marc2rdf.mapping import load_mappers
from marc2rdf.mapping.compile import Ctx, _content_key
from marc2rdf.mapping.spec import _SIX, RecordIndex, View, _Fixed
from marc2rdf.mapping.transforms import TRANSFORMS
from marc2rdf.readers import read
from marc2rdf.readers.base import Read

CORPUS = Path(__file__).parent / "data" / "corpus"


def corpus_records() -> list[Record]:
    paths = [p for p in sorted(CORPUS.rglob("*")) if p.is_file() and p.suffix in (".mrc", ".xml", ".json", ".mrk")
             and "malformed" not in p.parts]
    return [item.record for p in paths for item in read(p) if isinstance(item, Read)]


@pytest.fixture(scope="module")
def records() -> list[Record]:
    found = corpus_records()
    assert len(found) > 2000
    return found


# -- rules: generated function against the pieces ---------------------------------------------


def run_pieces(run, ctx: Ctx) -> None:
    """What a rule does, done by its compiled pieces: for each field the selector gives and the
    condition keeps, the value's terms, attached to the rule's node."""
    to, select, cond, fn, via, vias, inverse = run.pieces
    subject = ctx.nodes.get(to)
    if subject is None:
        return
    index = ctx.index
    for view in select(index) or ():
        if cond is not None and not cond(view, index):
            continue
        preds = None
        if vias is not None:
            preds = [p for p in dict.fromkeys(vias(view, ctx)) if p.startswith("<")]
            if not preds:
                continue
        for o in fn(view, ctx):
            for p in preds if preds is not None else [via] if via is not None else []:
                ctx.out.append((subject, p, o))
            if inverse is not None:
                ctx.out.append((o, inverse, subject))


@pytest.mark.parametrize("profile", ["bibframe", "schema"])
def test_each_generated_rule_gives_what_its_pieces_give(records, profile):
    (mapper,) = load_mappers([profile])
    compared = 0
    for record in records:
        fused, pieces = mapper.context(record), mapper.context(record)
        for rid, run in mapper.rules:
            start = len(fused.out), len(pieces.out)
            run(fused)
            run_pieces(run, pieces)
            assert fused.out[start[0]:] == pieces.out[start[1]:], (rid, mapper.record_id(record))
            compared += len(fused.out) - start[0]
    assert compared > 100_000  # triples, before the mapper drops repeated ones


def test_pipelines_of_every_shape_give_what_their_pieces_give(tmp_path):
    """Transforms, a join, a table (keyed by a column, or not), a default, a minted IRI, class
    alternatives: on fields where the table knows the value, does not, or gets none at all."""
    (tmp_path / "maps").mkdir()
    (tmp_path / "maps" / "colours.tsv").write_text("code\tlabel\nred\tRed\nblu\tBlue\n", encoding="utf-8")
    (tmp_path / "profile.yaml").write_text(textwrap.dedent("""\
        name: t
        maps: maps
        record: {id: ["001"], nodes: {work: "#Work"}}
        rules:
          - id: t.codes
            match: "500"
            attach: {to: work, via: bf:note}
            value: {from: "$a", each: true, then: [{split: ","}, lower, strip], map: colours, default: other}
          - id: t.labels
            match: "500"
            attach: {to: work, via: bf:code}
            value: {from: "$a", each: true, then: [trim_punctuation], join: ",", map: colours, by: label,
                    column: code, default: unknown}
          - id: t.joined
            match: "500"
            attach: {to: work, via: bf:summary}
            value: {from: "$ab", each: true, then: [unbracket, {split: ";"}], join: " | "}
          - id: t.agent
            match: "600"
            attach: {to: work, via: bf:subject}
            node:
              a: [[{value: bf:Person, when: {ind1: "1"}}, {value: bf:Agent}]]
              id: {first: ["$1", "$0"], mint: {key: "$ad"}}
              rdfs:label: {from: "$a", then: [trim_punctuation]}
        """), encoding="utf-8")
    (mapper,) = load_mappers([str(tmp_path / "profile.yaml")])

    def rec(cn, *fields):
        r = Record()
        r.add_field(Field(tag="001", data=cn))
        for tag, inds, subs in fields:
            r.add_field(Field(tag=tag, indicators=Indicators(*inds), subfields=[Subfield(c, v) for c, v in subs]))
        return r

    cases = [
        rec("known", ("500", "  ", [("a", "Red, BLU"), ("b", "[x]; y")])),
        rec("unknown", ("500", "  ", [("a", "green"), ("a", " blue. ")])),
        rec("emptied", ("500", "  ", [("a", " , "), ("a", "")]), ("500", "  ", [("b", "[]")])),
        rec("agents", ("600", "1 ", [("a", "Smith, J.,"), ("d", "1900-")]), ("600", "2 ", [("a", "Acme"), ("0", "x")]),
            ("600", "1 ", [("0", "http://id.loc.gov/authorities/names/n1"), ("a", "Doe")]), ("600", "  ", [("d", "")])),
    ]
    got = []
    for r in cases:
        fused, pieces = mapper.context(r), mapper.context(r)
        for _, run in mapper.rules:
            run(fused)
            run_pieces(run, pieces)
        assert fused.out == pieces.out, mapper.record_id(r)
        got += fused.out
    objects = [o for _, p, o in got if p.endswith("/note>") or p.endswith("/code>")]
    assert objects == ['"Red"', '"Blue"', '"unknown"', '"other"', '"unknown"', '"other"', '"unknown"']


# -- the content key ------------------------------------------------------------------------


def plain_key(record: Record) -> str:
    parts = [str(record.leader)]
    for f in record.fields:
        if f.is_control_field():
            parts.append(f.tag + (f.data or ""))
        else:
            parts.append(f.tag + "".join(f.indicators or "") + "\x1f".join(sf.code + sf.value for sf in f.subfields))
    return "\x1e".join(parts)


def test_the_content_key_is_the_records_text(records):
    assert all(_content_key(r) == plain_key(r) for r in records)
    bare = Record()
    bare.add_field(Field(tag="500", indicators=Indicators(" ", " "), subfields=[]))
    bare.add_field(Field(tag="001", data=None))
    assert _content_key(bare) == plain_key(bare)


# -- the index of a record with 880s --------------------------------------------------------


def plain_index(record: Record, script_tag) -> tuple[dict, dict]:
    """Fields by tag with their 880 twins, and the fixed fields, found with pymarc's own calls."""
    leader = str(record.leader)
    by_tag: dict[str, list] = {"LDR": [View(-1, "LDR", None, None, None)]}
    fixed = {"LDR": leader}
    lang = next(((f.data or "")[35:38] for f in record.fields if f.tag == "008" and (f.data or "")[35:38]), "")
    twins = {}
    for f in record.fields:
        m = _SIX.match(f.get("6", "") or "") if f.tag == "880" else None
        if m and m.group(2) != "00":
            twins[(m.group(1), m.group(2))] = f
    paired = set()
    for pos, f in enumerate(record.fields):
        if f.tag < "010" and f.tag.isdigit():
            fixed.setdefault(f.tag, f.data or "")
        if f.tag == "880":
            continue
        twin = None
        m = _SIX.match(f.get("6", "") or "") if "6" in f else None
        if m and m.group(1) == "880" and (f.tag, m.group(2)) in twins:
            t = twins.pop((f.tag, m.group(2)))
            paired.add(id(t))
            twin = View(pos, f.tag, t, script_tag(lang, t.get("6", "")), None)
        by_tag.setdefault(f.tag, []).append(View(pos, f.tag, f, None, twin))
    for pos, f in enumerate(record.fields):
        m = _SIX.match(f.get("6", "") or "") if f.tag == "880" and id(f) not in paired else None
        if m:
            by_tag.setdefault(m.group(1), []).append(View(pos, m.group(1), f, script_tag(lang, f.get("6", "")), None))
    return {t: sorted(vs, key=lambda v: v.pos) for t, vs in by_tag.items()}, fixed


def same_index(record: Record, script_tag) -> None:
    index = RecordIndex(record, script_tag)
    want_by_tag, want_fixed = plain_index(record, script_tag)
    assert index.fixed == want_fixed
    assert list(index.by_tag) == list(want_by_tag)
    for tag, views in index.by_tag.items():
        if tag == "LDR":
            assert isinstance(views[0].field, _Fixed) and views[0].field.data == index.leader
            continue
        want = want_by_tag[tag]
        assert [(v.pos, v.tag, id(v.field), v.lang) for v in views] == [(v.pos, v.tag, id(v.field), v.lang) for v in want]
        assert [v.twin and (v.twin.pos, id(v.twin.field), v.twin.lang) for v in views] == \
            [v.twin and (v.twin.pos, id(v.twin.field), v.twin.lang) for v in want]


def test_records_with_880s_are_indexed_as_pymarc_pairs_them(records):
    (mapper,) = load_mappers(["bibframe"])
    linked = [r for r in records if any(f.tag == "880" for f in r.fields)]
    assert len(linked) > 100
    for r in linked:
        same_index(r, mapper.script_tag)


def test_odd_880_links_are_indexed_as_pymarc_pairs_them():
    (mapper,) = load_mappers(["bibframe"])

    def field(tag, *subs, inds=("1", "0")):
        return Field(tag=tag, indicators=Indicators(*inds), subfields=[Subfield(c, v) for c, v in subs])

    r = Record()
    r.add_field(Field(tag="008", data="short"))
    r.add_field(Field(tag="008", data="100519s1922    ja            000 0 jpn d"))
    r.add_field(field("245", ("6", "880-01"), ("a", "Title")))
    r.add_field(field("246", ("6", ""), ("6", "880-02"), ("a", "an empty first $6")))
    r.add_field(field("250", ("6", "880-03"), ("a", "twin given twice")))
    r.add_field(field("260", ("a", "no link")))
    r.add_field(field("880", ("6", "245-01/$1"), ("a", "題")))
    r.add_field(field("880", ("6", "250-03/(N"), ("a", "first of two")))
    r.add_field(field("880", ("6", "250-03/(N"), ("a", "second of two")))
    r.add_field(field("880", ("6", "500-00/(N"), ("a", "occurrence 00: no twin")))
    r.add_field(field("880", ("a", "no $6 at all")))
    r.add_field(field("880", ("6", "not a link"), ("a", "bad $6")))
    r.add_field(field("880", ("6", "246-02"), ("a", "twin of a field whose first $6 is empty")))
    same_index(r, mapper.script_tag)
    index = RecordIndex(r, mapper.script_tag)
    assert [v.field["a"] for v in index.by_tag["250"]] == ["twin given twice", "first of two"]
    assert index.by_tag["250"][0].twin.field["a"] == "second of two"
    assert index.by_tag["245"][0].twin.lang == "ja-Jpan"


def test_the_record_id_from_the_index_is_the_one_get_fields_finds(records):
    (mapper,) = load_mappers(["bibframe"])
    ids = set()
    for r in records:
        by_index = mapper._record_id(r, RecordIndex(r, mapper.script_tag).by_tag)
        assert by_index == mapper._record_id(r, None)
        ids.add(by_index)
    assert len(ids) > 1500

    # an 880 linked to a 001 is indexed under 001 but is no 001; with none, the 035 is the id
    (local,) = load_mappers(["bibframe"])
    local.record_id_specs = [("001", "a"), ("035", "a")]  # $a: what an 880 in 001's place would give
    r = Record()
    r.add_field(Field(tag="035", indicators=Indicators(" ", " "), subfields=[Subfield("a", "(OCoLC)42")]))
    r.add_field(Field(tag="880", indicators=Indicators(" ", " "), subfields=[Subfield("6", "001-00"), Subfield("a", "x")]))
    r.add_field(Field(tag="880", indicators=Indicators(" ", " "), subfields=[Subfield("6", "035-00"), Subfield("a", "(X)1")]))
    assert "001" in RecordIndex(r, local.script_tag).by_tag
    assert local._record_id(r, RecordIndex(r, local.script_tag).by_tag) == local._record_id(r, None) == "(OCoLC)42"
    # asked again for the record just mapped: the id found then; another record: its own
    local.map(r)
    assert local.record_id(r) == "(OCoLC)42"
    other = Record()
    other.add_field(Field(tag="001", data="b7"))
    assert local.record_id(other) == "b7"


# -- trim_punctuation's final period ----------------------------------------------------------

_LAST_WORD = re.compile(r"(\S+)\.$")


def test_the_word_before_a_final_period_is_found_as_the_regex_found_it(records):
    trim = TRANSFORMS["trim_punctuation"][0](None, None)
    # the values of the corpus that end with a period, and what the regex made of them
    ending = [v for r in records for f in r.fields if not f.is_control_field() for _, v in f.subfields
              if v.rstrip().endswith(".")]
    assert len(ending) > 1000
    for v in ending:
        assert trim(v) == regex_trim(v), v


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aB1.,;:/= \u00a0\u2003\t\n\x1c\x85([)]")), max_size=14))
def test_the_final_period_rule_matches_the_regex_on_any_text(text):
    trim = TRANSFORMS["trim_punctuation"][0](None, None)
    assert trim(text) == regex_trim(text)


def regex_trim(value: str) -> str | None:
    """``trim_punctuation`` as written with the regular expression, without abbreviations."""
    if not value:
        return None
    if value[-1] not in " \t/:;,=+." and value[0] not in " \t/:;,=+":
        return value
    while True:
        value = value.rstrip(" \t\n\r\u00a0/:;,=+").lstrip(" \t\n\r\u00a0/:;,=+")
        if value.endswith(".") and not value.endswith("..."):
            m = _LAST_WORD.search(value)
            bare = (m.group(1) if m else "").lstrip("([")
            if not ((len(bare) == 1 and bare.isalpha()) or "." in bare):
                value = value[:-1]
                continue
        return value or None
