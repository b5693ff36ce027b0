"""The mapping layer itself: selectors, conditions, values, nodes, 880s, profiles, load errors."""

import textwrap

import pytest
from pymarc import Field, Indicators, Record, Subfield

from marc2rdf.mapping import MappingError, Profile
from marc2rdf.mapping.spec import parse_selector
from marc2rdf.mapping.terms import literal, slug

BF = "http://id.loc.gov/ontologies/bibframe/"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"


def make_profile(tmp_path, rules: str, extra: str = "", tables: dict | None = None, name="profile.yaml"):
    (tmp_path / "maps").mkdir(exist_ok=True)
    for tname, rows in (tables or {}).items():
        (tmp_path / "maps" / f"{tname}.tsv").write_text("# test table\n" + rows, encoding="utf-8")
    text = textwrap.dedent(
        """\
        name: t
        maps: maps
        record:
          id: ["001"]
          nodes: {work: "#Work", instance: "#Instance"}
        """
    ) + textwrap.dedent(extra) + "rules:\n" + textwrap.indent(textwrap.dedent(rules), "  ")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return Profile(path)


def record(*fields, leader="00000nam a2200000 a 4500", cn="rec1"):
    r = Record()
    r.leader = leader
    r.add_field(Field(tag="001", data=cn))
    for tag, inds, subs in fields:
        r.add_field(Field(tag=tag, indicators=Indicators(*inds), subfields=[Subfield(c, v) for c, v in subs]))
    return r


def test_selector_grammar():
    (p,) = parse_selector("600|*0|abcd")
    assert (p.pattern, p.ind1, p.ind2, p.codes) == ("600", None, "0", "abcd")
    (p,) = parse_selector("008[35-37]")
    assert p.positions == (35, 37)
    assert [x.pattern for x in parse_selector("100:110:7..")] == ["100", "110", "7.."]
    with pytest.raises(ValueError):
        parse_selector("24")


def test_values_transforms_and_alternatives(tmp_path):
    p = make_profile(tmp_path, """\
        - id: t.title
          match: "245"
          attach: {to: instance, via: bf:title}
          node:
            a: bf:Title
            bf:mainTitle: {from: "$a", then: [trim_punctuation]}
            bf:subtitle: [{from: "$b", then: [trim_punctuation]}, {value: "none"}]
        - id: t.place
          match: "260"
          attach: {to: instance, via: bflc:simplePlace}
          value: {from: "$a", each: true, join: ", ", then: [trim_punctuation]}
        """)
    m = p.compile()
    triples = m.map(record(("245", "10", [("a", "Dr. Who :"), ]), ("260", "  ", [("a", "London ;"), ("a", "New York :")])))
    objects = {o for _, _, o in triples}
    assert '"Dr. Who"' in objects and '"none"' in objects
    assert '"London, New York"' in objects
    assert ("<http://example.org/rec1#Instance>", f"<{BF}title>") in {(s, p) for s, p, _ in triples}


def test_minted_iris_are_stable_and_shared_across_records(tmp_path):
    p = make_profile(tmp_path, """\
        - id: t.agent
          match: "100:700"
          attach: {to: work, via: bf:contribution}
          node:
            a: bf:Contribution
            bf:agent:
              node:
                a: bf:Person
                id: {first: ["$1", "$0"], mint: {key: "$abcd"}}
                rdfs:label: {from: "$ad", then: [trim_punctuation]}
        """)
    m = p.compile()
    r1 = record(("100", "1 ", [("a", "Thoër, Christine,"), ("d", "1960-")]), cn="a")
    r2 = record(("700", "1 ", [("a", "THOËR, Christine"), ("d", "1960-.")]), cn="b")
    r3 = record(("700", "1 ", [("a", "Smith, J."), ("0", "(DLC)n  79021164")]), cn="c")
    def agent(r):
        return {s for s, p, o in m.map(r) if p == RDFS_LABEL}
    assert agent(r1) == agent(r2) == {"<http://example.org/person/thoër-christine-1960>"}
    assert agent(r3) == {"<http://id.loc.gov/authorities/names/n79021164>"}
    assert m.map(r1) == m.map(r1)  # the same on every run


def test_880_twin_values_carry_a_language_script_tag(tmp_path):
    p = make_profile(
        tmp_path,
        """\
        - id: t.title
          match: "245"
          attach: {to: instance, via: bf:title}
          node: {a: bf:Title, bf:mainTitle: {from: "$a", then: [trim_punctuation]}}
        """,
        tables={
            "languages": "code\tlabel\tbcp47\njpn\tJapanese\tja\n",
            "scripts": "marc\tiso15924\n$1\tHani\n",
            "language_scripts": "language\tscript\njpn\tJpan\n",
        },
    )
    r = record(("245", "10", [("6", "880-01"), ("a", "Tōkaidō emaki /")]))
    r.add_field(Field(tag="008", data="100519s1922    ja            000 0 jpn d"))
    r.add_field(Field(tag="880", indicators=Indicators("1", "0"), subfields=[Subfield("6", "245-01/$1"), Subfield("a", "東海道絵卷 /")]))
    titles = sorted(o for _, p, o in p.compile().map(r) if p.endswith("mainTitle>"))
    assert titles == ['"Tōkaidō emaki"', '"東海道絵卷"@ja-Jpan']


def test_conditions_are_data(tmp_path):
    p = make_profile(tmp_path, """\
        - id: t.role
          match: "100:700"
          attach: {to: work, via: bf:role}
          value:
            - {value: relators:aut, when: {tag: "1..", leader/06: [a, t]}}
            - {value: relators:ctb}
        - id: t.local
          match: "6.."
          when: {ind2: "7", "$2": [fast]}
          attach: {to: work, via: bf:subject}
          value: {from: "$a"}
        """)
    m = p.compile()
    def roles(r):
        return {o for _, p, o in m.map(r) if p.endswith("role>")}
    assert roles(record(("100", "1 ", [("a", "X")]))) == {"<http://id.loc.gov/vocabulary/relators/aut>"}
    assert roles(record(("100", "1 ", [("a", "X")]), leader="00000ncm a2200000 a 4500")) == {"<http://id.loc.gov/vocabulary/relators/ctb>"}
    subjects = [o for _, p, o in m.map(record(("650", " 7", [("a", "Cats"), ("2", "fast")]), ("650", " 0", [("a", "Dogs")]))) if p.endswith("subject>")]
    assert subjects == ['"Cats"']


@pytest.mark.parametrize(
    "rules, message",
    [
        ('- {id: x, match: "245", attach: {to: work, via: bf:title}, value: {frm: "$a"}}\n', "profile.yaml:7: rule x: unknown key 'frm'"),
        ('- {id: x, match: "245", attach: {to: work, via: zz:title}, value: {from: "$a"}}\n', "unknown prefix in 'zz:title'"),
        ('- {id: x, match: "245", attach: {to: work, via: bf:title}, value: {from: "$a", then: [nope]}}\n', "unknown transform 'nope'"),
        ('- {id: x, match: "245", attach: {to: work, via: bf:title}, value: {from: "$a", map: nope}}\n', "unknown table 'nope'"),
        ('- {id: x, match: "2", attach: {to: work, via: bf:title}, value: {from: "$a"}}\n', "bad selector"),
        ('- {id: x, match: "245", when: {colour: red}, attach: {to: work, via: bf:title}, value: {from: "$a"}}\n', "unknown condition 'colour'"),
    ],
)
def test_load_errors_name_file_line_and_rule(tmp_path, rules, message):
    with pytest.raises(MappingError) as err:
        make_profile(tmp_path, rules).compile()
    assert message in str(err.value)


def test_local_profile_overrides_by_id(tmp_path):
    make_profile(tmp_path, """\
        - id: t.a
          match: "245"
          attach: {to: work, via: bf:title}
          value: {from: "$a"}
        - id: t.b
          match: "245"
          attach: {to: work, via: bf:note}
          value: {from: "$c"}
        """, name="base.yaml")
    local = tmp_path / "local.yaml"
    local.write_text(textwrap.dedent("""\
        name: local
        extends: base.yaml
        record: {id: ["999c"]}
        remove: [t.b]
        rules:
          - id: t.a
            match: "245"
            attach: {to: work, via: bf:title}
            value: {from: "$b"}
        """), encoding="utf-8")
    m = Profile(local).compile()
    r = record(("245", "10", [("a", "A"), ("b", "B"), ("c", "C")]), ("999", "  ", [("c", "587322")]))
    assert m.map(r) == [("<http://example.org/587322#Work>", f"<{BF}title>", '"B"')]
    assert [rid for rid, _ in m.rules] == ["t.a"]


def test_literals_and_slugs_are_safe():
    assert literal('say "hi"\n') == '"say \\"hi\\"\\n"'
    assert literal("x", lang="fr") == '"x"@fr'
    assert slug("Cherba, Maria") == "cherba-maria"
    assert len(slug("x" * 300)) <= 80
