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
    # a GND number (DE-588 is the GND's organization code) is the GND's IRI; a DNB record
    # number (DE-101) before it is no authority IRI and is passed over
    r4 = record(("700", "1 ", [("a", "Goethe, Johann Wolfgang von"), ("0", "(DE-101)118540238"),
                               ("0", "(DE-588)118540238")]), cn="d")
    assert agent(r4) == {"<https://d-nb.info/gnd/118540238>"}
    r5 = record(("700", "1 ", [("a", "Goethe, Johann Wolfgang von"), ("0", "(DE-588)11854023")]), cn="e")
    assert agent(r5) == {"<http://example.org/person/goethe-johann-wolfgang-von>"}  # not a GND number


@pytest.mark.parametrize("value, expected", [
    ("http://id.loc.gov/authorities/names/n79021164", "http://id.loc.gov/authorities/names/n79021164"),
    ("(uri)http://viaf.org/viaf/24602065", "http://viaf.org/viaf/24602065"),
    # as a real 655 writes it (mrrc-testbed), and an id.loc.gov IRI without its scheme (FOLIO)
    ("(uri) http://id.loc.gov/authorities/genreForms/gf2014026139",
     "http://id.loc.gov/authorities/genreForms/gf2014026139"),
    ("id.loc.gov/authorities/names/no2016063882", "http://id.loc.gov/authorities/names/no2016063882"),
    ("(DLC)n  79021164", "http://id.loc.gov/authorities/names/n79021164"),
    ("(DLC)sh 85076723", "http://id.loc.gov/authorities/subjects/sh85076723"),
    ("(OCoLC)fst00872081", "http://id.worldcat.org/fast/872081"),
    # the GND's identifier forms: person (9 and 10 characters), older records with a hyphen
    ("(DE-588)14270850X", "https://d-nb.info/gnd/14270850X"),
    ("(DE-588)1042243212", "https://d-nb.info/gnd/1042243212"),
    ("(DE-588)4046811-2", "https://d-nb.info/gnd/4046811-2"),
    ("(DE-588) 2003604-8", "https://d-nb.info/gnd/2003604-8"),
    ("(DE-588)4046811-", None),
    ("(DE-588)abc", None),
    ("(DE-101)040468119", None),
    ("(DE-576)19159427X", None),
])
def test_authority_uri(value, expected):
    from marc2rdf.mapping.transforms import TRANSFORMS

    assert TRANSFORMS["authority_uri"][0](None, None)(value) == expected


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


SDO = "https://schema.org/"


def test_named_conditions_are_shared_and_redefined_by_a_child(tmp_path):
    make_profile(tmp_path, """\
        - id: t.type
          match: LDR
          attach: {to: work, via: rdf:type}
          value: [{value: schema:Article, when: {is: part}}, {value: schema:Book}]
        - id: t.pages
          match: "300"
          when: {is: [part, text]}
          attach: {to: work, via: schema:pagination}
          value: {from: "$a"}
        """, extra="""\
        conditions:
          part: {leader/07: [a, b]}
          text: {leader/06: [a, t]}
        """, name="base.yaml")
    local = tmp_path / "local.yaml"
    local.write_text('name: local\nextends: base.yaml\nconditions:\n  part: {any: [{leader/07: a}, {record_has: "786"}]}\n',
                     encoding="utf-8")
    r = record(("300", "  ", [("a", "83-92")]), ("786", "0 ", [("n", "host")]))
    base, child = Profile(tmp_path / "base.yaml").compile(), Profile(local).compile()
    assert {o for _, p, o in base.map(r)} == {f"<{SDO}Book>"}
    assert {o for _, p, o in child.map(r)} == {f"<{SDO}Article>", '"83-92"'}


@pytest.mark.parametrize("conditions, message", [
    ("", "unknown named condition 'part'"),
    ("conditions:\n  part: {is: part}\n", "named condition 'part' refers to itself"),
])
def test_named_condition_errors(tmp_path, conditions, message):
    p = make_profile(tmp_path, '- {id: x, match: "245", when: {is: part}, attach: {to: work, via: bf:title}, value: {from: "$a"}}\n',
                     extra=conditions)
    with pytest.raises(MappingError) as err:
        p.compile()
    assert message in str(err.value) and "rule x" in str(err.value)


def test_a_property_chosen_per_field(tmp_path):
    p = make_profile(tmp_path, """\
        - id: t.agent
          match: "100:700"
          attach:
            to: work
            via:
              - {from: "$4", each: true, map: roles, iri: "schema:{}"}
              - {value: schema:contributor, when: {lacks: "4"}}
          node: {a: schema:Person, schema:name: {from: "$a"}}
        """, tables={"roles": "code\tproperty\naut\tauthor\nill\tillustrator\n"})
    m = p.compile()
    triples = m.map(record(("100", "1 ", [("a", "A"), ("4", "aut"), ("4", "ill")]), ("700", "1 ", [("a", "B")]),
                           ("700", "1 ", [("a", "C"), ("4", "fmo")])))
    links = sorted((p, o) for s, p, o in triples if s == "<http://example.org/rec1#Work>")
    names = {s: o for s, p, o in triples if p == f"<{SDO}name>"}
    assert [(p, names[o]) for p, o in links] == [(f"<{SDO}author>", '"A"'), (f"<{SDO}contributor>", '"B"'),
                                                 (f"<{SDO}illustrator>", '"A"')]
    assert '"C"' not in names.values()  # a field with no property makes no node
    assert {f"{SDO}author", f"{SDO}illustrator", f"{SDO}contributor"} <= m.terms


def test_a_rule_without_via_adds_properties_to_its_node(tmp_path):
    p = make_profile(tmp_path, """\
        - id: t.host
          match: "786"
          attach: {to: work}
          node:
            schema:pageStart: {from: "$n", then: [{part: ["|", 2]}, {match: "(\\\\d+)-"}], datatype: xsd:integer}
            schema:isPartOf: {node: {a: schema:Periodical, schema:name: {from: "$n", then: [{part: ["|", 1]}]}}}
        """)
    triples = p.compile().map(record(("786", "0 ", [("n", "Santé Publique | p. 83-92")])))
    work = "<http://example.org/rec1#Work>"
    assert (work, f"<{SDO}pageStart>", '"83"^^<http://www.w3.org/2001/XMLSchema#integer>') in triples
    (host,) = [o for s, p, o in triples if s == work and p == f"<{SDO}isPartOf>"]
    assert (host, f"<{SDO}name>", '"Santé Publique"') in triples
    with pytest.raises(MappingError, match="without `via` has a `node`"):
        make_profile(tmp_path, '- {id: x, match: "245", attach: {to: work}, value: {from: "$a"}}\n').compile()


def test_part_transform():
    from marc2rdf.mapping.transforms import TRANSFORMS

    make = TRANSFORMS["part"][0]
    value = "Santé Publique | 31 | 1 | 2019-05-14 | p. 83-92 | 0995-3914"
    assert [make(["|", n], None)(value) for n in (1, 2, 6, 7)] == ["Santé Publique", "31", "0995-3914", None]
    assert make(["|", "vol. {2}, no. {3}"], None)(value) == "vol. 31, no. 1"
    assert make(["|", "{2}:{8}"], None)(value) is None
    assert make([";", 2], None)("a;;c") is None
    with pytest.raises(ValueError):
        make(["|", 0], None)


def test_extends_several_profiles(tmp_path):
    for name, via in (("a.yaml", "bf:title"), ("b.yaml", "schema:name")):
        make_profile(tmp_path, f'- {{id: {name[0]}.title, match: "245", attach: {{to: work, via: {via}}}, value: {{from: "$a"}}}}\n',
                     extra=f"conditions:\n  same: {{tag: '245'}}\n  own: {{tag: '{name[0]}'}}\n", name=name)
    both = tmp_path / "both.yaml"
    both.write_text("name: both\nextends: [a.yaml, b.yaml]\nconditions:\n  own: {tag: '245'}\n", encoding="utf-8")
    m = Profile(both).compile()
    assert sorted(p for _, p, _ in m.map(record(("245", "10", [("a", "T")])))) == [f"<{BF}title>", f"<{SDO}name>"]
    assert [rid for rid, _ in m.rules] == ["a.title", "b.title"]
    both.write_text("name: both\nextends: [a.yaml, b.yaml]\n", encoding="utf-8")
    with pytest.raises(MappingError, match="define the condition.s. own differently"):
        Profile(both)
    both.write_text("name: both\nextends: [a.yaml, a.yaml]\nconditions:\n  own: {tag: '245'}\n", encoding="utf-8")
    with pytest.raises(MappingError, match="rule 'a.title' is in both"):
        Profile(both)


def test_two_profiles_never_share_a_blank_node(tmp_path):
    rule = '- {{id: x, match: "245", attach: {{to: work, via: {}}}, node: {{a: {}, rdfs:label: {{from: "$a"}}}}}}\n'
    a = make_profile(tmp_path, rule.format("bf:title", "bf:Title"), name="a.yaml").compile()
    b = make_profile(tmp_path, rule.format("schema:about", "schema:Thing"), name="b.yaml").compile()
    a.name, b.name = "bibframe", "schema"
    r = record(("245", "10", [("a", "T")]))
    blank = lambda triples: {t for tr in triples for t in tr if t.startswith("_:")}  # noqa: E731
    assert blank(a.map(r)) and blank(a.map(r)).isdisjoint(blank(b.map(r)))
    assert a.map(r) == a.map(r)


def test_a_typed_value_from_an_880_takes_no_language(tmp_path):
    p = make_profile(tmp_path, '- {id: x, match: "300", attach: {to: work, via: schema:numberOfPages}, '
                               'value: {from: "$a", then: [{match: "(\\\\d+)"}], datatype: xsd:integer}}\n',
                     tables={"languages": "code\tlabel\tbcp47\njpn\tJapanese\tja\n", "scripts": "marc\tiso15924\n$1\tHani\n",
                             "language_scripts": "language\tscript\njpn\tJpan\n"})
    r = record()
    r.add_field(Field(tag="008", data="100519s1922    ja            000 0 jpn d"))
    r.add_field(Field(tag="880", indicators=Indicators(" ", " "), subfields=[Subfield("6", "300-00/$1"), Subfield("a", "268 p.")]))
    assert [o for _, _, o in p.compile().map(r)] == ['"268"^^<http://www.w3.org/2001/XMLSchema#integer>']


def test_strings_from_a_mapping_file_are_data_in_the_fused_rule(tmp_path):
    # every rule runs as one generated function: the file's strings (constants, joins, table
    # defaults, subfield codes) must come out as the values they are, quotes, backslashes and
    # line breaks included, and never as code
    tricky = "x'); import os; os._exit(3); ('\\\\ \\\" \\n end"
    p = make_profile(tmp_path, f"""\
        - id: t.note
          match: "500"
          attach: {{to: instance, via: bf:note}}
          node:
            a: bf:Note
            rdfs:label: {{from: "$a", each: true}}
            bf:code: {{value: "{tricky}"}}
        - id: t.joined
          match: "500"
          attach: {{to: instance, via: bf:summary}}
          value: {{from: "$ab", join: "{tricky}"}}
        - id: t.looked_up
          match: "041"
          attach: {{to: work, via: bf:language}}
          value: {{from: "$a", map: langs, default: "{tricky}"}}
        """, tables={"langs": "fre\tFrench\n"})
    m = p.compile()
    assert all("def run(ctx):" in rule.source for _, rule in m.rules)  # each rule is a generated function
    value = tricky.encode().decode("unicode_escape")  # the YAML string as loaded
    triples = m.map(record(("500", "  ", [("a", "one"), ("b", "two")]), ("041", "0 ", [("a", "ger")])))
    objects = [o for _, _, o in triples]
    assert literal(value) in objects  # the constant
    assert literal("one" + value + "two") in objects  # the join
    assert '"one"' in objects
    assert literal(value) == [o for s, pr, o in triples if pr == f"<{BF}language>"][0]  # the default


def test_gnd_numbers_identify_agents_and_topics_of_a_real_dnb_record():
    """Record 11 of the DNB's test file (Metafacture): its GND-linked name, topic and place are
    the GND's own IRIs, with the labels and classes the fields give."""
    from marc2rdf.mapping import load_mappers
    from marc2rdf.readers import read
    from marc2rdf.readers.base import Read

    from support import CORPUS

    (mapper,) = load_mappers(["bibframe"])
    items = [it for it in read(CORPUS / "reference" / "metafacture__Test_DNB_Mono.mrk") if isinstance(it, Read)]
    r = items[10].record
    assert r["001"].data == "1025374754"
    triples = set(mapper.map(r))
    work = "<http://example.org/1025374754#Work>"
    gnd = {s for s, _, _ in triples if s.startswith("<https://d-nb.info/gnd/")}
    assert gnd == {"<https://d-nb.info/gnd/141867167>", "<https://d-nb.info/gnd/141867248>",
                   "<https://d-nb.info/gnd/4044820-4>", "<https://d-nb.info/gnd/4007403-1>"}
    rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    assert ("<https://d-nb.info/gnd/4007403-1>", rdf_type, f"<{BF}Place>") in triples
    assert ("<https://d-nb.info/gnd/4007403-1>", RDFS_LABEL, '"Bodensee"') in triples
    assert ("<https://d-nb.info/gnd/4044820-4>", rdf_type, f"<{BF}Topic>") in triples
    assert (work, f"<{BF}subject>", "<https://d-nb.info/gnd/4044820-4>") in triples
    assert ("<https://d-nb.info/gnd/141867167>", rdf_type, f"<{BF}Person>") in triples
    agents = {o for s, p, o in triples if p == f"<{BF}agent>"}
    assert {"<https://d-nb.info/gnd/141867167>", "<https://d-nb.info/gnd/141867248>"} <= agents
    # the DNB record numbers (DE-101) beside them make no IRI
    assert {t for triple in triples for t in triple if "d-nb.info/gnd/" in t} == gnd


@pytest.mark.parametrize("value, expected", [
    ("http://id.loc.gov/rwo/agents/n79022244", "http://id.loc.gov/authorities/names/n79022244"),
    ("https://id.loc.gov/rwo/agents/nb2019016901.html", "http://id.loc.gov/authorities/names/nb2019016901"),
    ("http://id.loc.gov/authorities/names/n79022244", None),
    ("http://viaf.org/viaf/92989169", None),
])
def test_rwo_authority(value, expected):
    from marc2rdf.mapping.transforms import TRANSFORMS

    assert TRANSFORMS["rwo_authority"][0](None, None)(value) == expected


def test_a_person_with_an_lc_number_is_one_node_as_contributor_and_as_subject():
    """The author of a work that is also its subject: with the LC name's number in both fields,
    both are id.loc.gov's real-world object, which links to the authority record, as LC's
    converter writes it."""
    from marc2rdf.mapping import load_mappers

    (mapper,) = load_mappers(["bibframe"])
    r = record(("100", "1 ", [("a", "Twain, Mark,"), ("d", "1835-1910."), ("0", "(DLC)n  79021164")]),
               ("245", "10", [("a", "Autobiography.")]),
               ("600", "10", [("a", "Twain, Mark,"), ("d", "1835-1910."), ("0", "http://id.loc.gov/authorities/names/n79021164")]),
               cn="twain")
    triples = set(mapper.map(r))
    rwo, authority = "<http://id.loc.gov/rwo/agents/n79021164>", "<http://id.loc.gov/authorities/names/n79021164>"
    assert (("<http://example.org/twain#Work>", f"<{BF}subject>", rwo)) in triples
    assert {o for s, p, o in triples if p == f"<{BF}agent>"} == {rwo}
    assert {(s, o) for s, p, o in triples if p == "<http://www.loc.gov/mads/rdf/v1#isIdentifiedByAuthority>"} == \
        {(rwo, authority)}
    assert authority not in {s for s, _, _ in triples}  # the authority record is not described as the person
    # a heading with a subdivision is not the body itself, and its second $0 is the subdivision's:
    # minted from the whole heading, with no authority link (mrrc-testbed's 610)
    r = record(("245", "10", [("a", "Report.")]),
               ("610", "20", [("a", "Urban and Community Forestry Program (U.S.)"),
                              ("0", "http://id.loc.gov/authorities/names/no97065840"), ("v", "Periodicals."),
                              ("0", "http://id.loc.gov/authorities/subjects/sh99001647")]), cn="forestry")
    triples = set(mapper.map(r))
    heading = "<http://example.org/organization/urban-and-community-forestry-program-u-s-periodicals>"
    assert ("<http://example.org/forestry#Work>", f"<{BF}subject>", heading) in triples
    assert (heading, RDFS_LABEL, '"Urban and Community Forestry Program (U.S.)--Periodicals"') in triples
    assert not any("id.loc.gov/rwo" in t or "isIdentifiedByAuthority" in t for triple in triples for t in triple)


def test_a_blank_node_with_nothing_but_its_classes_is_left_out(tmp_path):
    p = make_profile(tmp_path, """\
        - id: t.variant
          match: "246"
          attach: {to: instance, via: bf:title}
          node:
            a: bf:VariantTitle
            bf:mainTitle: {from: "$a", then: [trim_punctuation]}
            bf:note: {node: {a: bf:Note, rdfs:label: {from: "$i"}}}
        - id: t.topic
          match: "650"
          attach: {to: work, via: bf:subject}
          node: {a: bf:Topic, id: {mint: {key: "$a"}}, rdfs:label: {from: "$x"}}
        """)
    m = p.compile()
    # a title with text, one with only a note, one with neither (NLM's 246 $0), an empty subfield
    r = record(("246", "30", [("a", "Acta anat.")]), ("246", "1 ", [("i", "Spine title:")]),
               ("246", "2 ", [("0", "ACTA ANAT (BASEL)")]), ("246", "3 ", [("a", " ")]),
               ("650", " 0", [("a", "Anatomy")]))
    triples = m.map(r)
    titles = [o for s, p_, o in triples if p_ == f"<{BF}title>"]
    assert len(titles) == 2
    described = {s for s, _, _ in triples}
    assert set(titles) <= described
    assert len({o for s, p_, o in triples if p_ == f"<{BF}note>"}) == 1
    # an IRI node is kept with its class alone: the IRI itself says which topic
    assert ("<http://example.org/rec1#Work>", f"<{BF}subject>", "<http://example.org/topic/anatomy>") in triples
    assert m.map(r) == triples  # the same on every run
    # the generated rule functions and the pieces they are written from agree
    from test_mapping_speedups import run_pieces

    fused, pieces = m.context(r), m.context(r)
    for _, run in m.rules:
        run(fused)
        run_pieces(run, pieces)
    assert fused.out == pieces.out
