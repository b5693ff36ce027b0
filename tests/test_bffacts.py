"""The fact extractor (tests/bffacts.py) run on LC's reference output (tests/data/reference-bibframe).

The expected values below were read off LC's RDF/XML by hand. Where LC's output is wrong or
lossy, a test says so (``test_lc_*``): the comparison must not reward copying those faults.
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path

import pytest
from pymarc import parse_xml_to_array
from rdflib import RDF, RDFS, XSD, BNode, Literal

import bffacts as B
from support import CORPUS, DATA

REF = DATA / "reference-bibframe"
RDF_FILES = sorted(REF.glob("*.rdf"))
LC_FROM_CORPUS = [p for p in RDF_FILES if p.name != "seed.rdf"]


@cache
def graph(name: str):
    return B.load(REF / name)


@cache
def lc(name: str):
    return B.facts(graph(name))


def full(recall: dict) -> bool:
    return all(hit == total for hit, total in recall.values())


# ---------------------------------------------------------------------------------------------
# the copies


def test_reference_copies_are_complete():
    names = {p.name for p in REF.iterdir()}
    assert {"README.md", "SOURCES.md", "seed.input.xml", "seed.rdf"} <= names
    assert len(RDF_FILES) == 19
    for p in LC_FROM_CORPUS:
        assert (CORPUS / "marcxml" / (p.stem + ".xml")).is_file(), p.name
    sources = (REF / "SOURCES.md").read_text(encoding="utf-8")
    assert "v2.10" in sources and "CC0" in sources


@pytest.mark.parametrize("path", LC_FROM_CORPUS, ids=lambda p: p.stem)
def test_one_record_per_control_number(path: Path):
    # LC mints {baseuri}{001}#Work, so the record keys are exactly the inputs' 001 values
    marc = parse_xml_to_array(str(CORPUS / "marcxml" / (path.stem + ".xml")))
    assert marc
    assert set(lc(path.name)) == {r["001"].data.strip() for r in marc}


def test_lc_merges_records_that_share_a_control_number():
    # princeton.xml holds 99 records, two of them twice (001 4609321 and 4609990, identical
    # copies); LC gives both copies the same IRIs, so its graph has 97 records.
    marc = parse_xml_to_array(str(CORPUS / "marcxml" / "marc2bibframe2__princeton.xml"))
    assert len(marc) == 99
    facts = lc("marc2bibframe2__princeton.rdf")
    assert len(facts) == 97
    assert {"4609321", "4609990"} <= set(facts)


# ---------------------------------------------------------------------------------------------
# normalization


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Ole Lukøie /", "ole lukøie"),
        ("Thoe\u0308r, Christine", "thoër, christine"),  # NFC
        ("[19--?].", "19--?"),
        ("[10] p.", "10 p"),
        ("1398 [2019 or 2020]", "1398 2019 or 2020"),
        ("  in order to (i)\u00a0guide ;", "in order to (i) guide"),
        ("\u200f\u062a\u0647\u0631\u0627\u0646 :\u200f", "\u062a\u0647\u0631\u0627\u0646"),  # RLM + " :"
        ("\u200f\u0646\u0634\u0631 \u062e\u0627\u0645\u0648\u0634\u060c\u200f",  # Arabic comma
         "\u0646\u0634\u0631 \u062e\u0627\u0645\u0648\u0634"),
        ("Index Medicus,", "index medicus"),
    ],
)
def test_norm(raw, expected):
    assert B.norm(raw) == expected


def test_norm_keeps_typed_literals_punctuation():
    edtf = Literal("2013/..", datatype="http://id.loc.gov/datatypes/edtf")
    assert B.norm(edtf) == "2013/.."
    assert B.norm("2013/..") == "2013"


def test_identifier_values_lose_hyphens_and_padding():
    assert B.norm_id("  2020373530", "lccn") == "2020373530"
    assert B.norm_id("0-19-852663-6", "isbn") == "0198526636"
    assert B.norm_id("0094-243X", "issn") == "0094243x"
    assert B.norm_id("NJPG15058026-B", "local") == "njpg15058026-b"


# ---------------------------------------------------------------------------------------------
# the seed record (seed.input.xml -> seed.rdf)

SEED_TITLE = (
    "online social support as a mode of psychosocial intervention: a review of scientific "
    "literature, avenues for future research, and recommendations for practitioners"
)
SEED_AUTHORS = [
    "cherba, maria", "thoër, christine", "turbide, olivier", "denault, vincent", "renaud, lise",
    "valderrama, alena", "courcy, isabelle", "cordelier, benoit", "laquerre, marie-emmanuelle",
    "cyr, claude", "hovington, jacinthe", "muloin, céline",
]


def test_seed_counts():
    facts = lc("seed.rdf")
    assert list(facts) == ["587322"]
    counts = {k: n for k, n in B.totals(facts).items() if n}
    assert counts == {
        "title": 1,
        "contribution": 12,
        "primary_contribution": 1,
        "agent_type": 12,
        "language": 1,
        "note": 1,
        "summary": 1,
        "locator": 1,
        "content_type": 1,
        "related": 1,
        "work_type": 2,
        "instance_type": 1,
    }


def test_seed_facts():
    f = lc("seed.rdf")["587322"]
    # Work, Instance and LC's extra Instance for the 856 all carry the same 245
    assert f["title"] == {("title", SEED_TITLE, "")}
    assert f["contribution"] == {(a, "author") for a in SEED_AUTHORS}
    assert f["primary_contribution"] == {("cherba, maria",)}
    assert f["agent_type"] == {(a, "person") for a in SEED_AUTHORS}
    assert f["language"] == {("fre",)}
    (summary,) = f["summary"]
    assert summary[0].startswith("objective: the goal of this review is to present online social support")
    assert "in order to (i) guide organizations" in summary[0]  # 520 has no-break spaces
    assert summary[0].endswith("the evaluation of interventions")  # final period trimmed
    assert f["note"] == {("4",)}
    assert f["locator"] == {
        ("https://shs.cairn.info/journal-sante-publique-2019-1-page-83?lang=en&redirect-ssocas=7080",)
    }
    assert f["content_type"] == {("txt",)}
    assert f["work_type"] == {("text",), ("monograph",)}
    assert f["instance_type"] == {("electronic",)}  # the 856 Instance; the main one is untyped
    # 786 $n: the related work gets the record's own title, the $n text a note of its own
    assert f["related"] == {("datasource", SEED_TITLE)}


def test_seed_relator_terms():
    f = B.facts(graph("seed.rdf"), relator_terms={"Author": "aut"})["587322"]
    assert f["contribution"] == {(a, "aut") for a in SEED_AUTHORS}


def test_lc_leaves_seed_roles_as_literal_labels():
    # 100/700 $e "author": LC writes bf:role [ a bf:Role ; rdfs:label "author" ], not relators:aut
    g = graph("seed.rdf")
    roles = list(g.objects(None, B.BF.role))
    assert len(roles) == 12
    for r in roles:
        assert isinstance(r, BNode)  # not an IRI
        assert [str(x) for x in g.objects(r, RDFS.label)] == ["author"]


def test_lc_drops_seed_subjects_and_date():
    # 4 x 690 (local subject) are not converted at all; 260 $c "2019." without an 008 gives no
    # provision activity; instead LC writes the missing 008/00-05 as "19--"^^xsd:date.
    g = graph("seed.rdf")
    f = lc("seed.rdf")["587322"]
    assert not f["subject"] and not f["provision"] and not f["date"]
    assert "social support" not in {str(o).casefold() for o in g.objects()}
    bad = [o for o in g.objects(None, B.BF.date) if o.datatype == XSD.date]
    assert [str(o) for o in bad] == ["19--"]
    assert bad[0].ill_typed


# ---------------------------------------------------------------------------------------------
# the big files


@pytest.mark.parametrize("name", ["princeton", "british_library", "gwu", "nlm"])
def test_big_files_have_every_main_kind(name):
    facts = lc(f"marc2bibframe2__{name}.rdf")
    counts = B.totals(facts)
    for kind in ("title", "contribution", "subject", "identifier", "provision", "language",
                 "content_type", "work_type", "extent", "note", "classification"):
        assert counts[kind] > 0, kind
    # every record has a title, a provision activity and a Work type
    for key, f in facts.items():
        assert f["title"] and f["provision"] and f["work_type"], key


def test_princeton_record_6294():
    f = lc("marc2bibframe2__princeton.rdf")["6294"]
    title = (
        "plans, coupes, elevations des plus belles maisons et des hotels construits à paris et dans"
        " les environs"
    )
    assert f["title"] == {("title", title, "")}
    assert f["contribution"] == {
        ("krafft, j. ch. (jean-charles), 1764-1833", "aut"),
        ("ransonnette, pierre nicolas, 1745-1810", "ctb"),
    }
    assert f["primary_contribution"] == {("krafft, j. ch. (jean-charles), 1764-1833",)}
    assert f["subject_source"] == {("architecture, domestic--france--paris", "lcsh")}
    assert f["identifier"] == {("lccn", "12023599"), ("local", "njpg15058026-b"), ("oclcnumber", "78855233")}
    assert f["language"] == {("eng",), ("fre",), ("ger",)}
    # 260 and its copy merged with the 008: one statement; the 008 adds a code and an EDTF date
    assert f["provision"] == {("publication", "paris", "the editors", "1801-1803?")}
    assert f["provision_place"] == {("paris",), ("fr",)}
    assert f["provision_date"] == {("1801-1803?",), ("1801~/1803~",)}
    assert f["extent"] == {("46 p",)} and f["dimensions"] == {("55 cm",)}
    assert ("front., 120 pl. (incl. plans)",) in f["note"]  # 300 $b
    assert f["classification"] == {("classificationlcc", "na7348.p2", "k8")}
    assert f["locator"] == {("http://arks.princeton.edu/ark:/88435/cr56n106c",)}
    assert f["media_type"] == {("n",)} and f["carrier_type"] == set()
    assert {r for r, _ in f["related"]} == {"relatedwork"}  # two 740s
    assert len(f["related"]) == 2


def test_princeton_record_5952219():
    f = lc("marc2bibframe2__princeton.rdf")["5952219"]
    # 700 $e "former owner" stays a label; with a term table it becomes the code
    assert ("einstein, albert, 1879-1955", "former owner") in f["contribution"]
    mapped = B.facts(graph("marc2bibframe2__princeton.rdf"), relator_terms={"former owner": "fmo"})
    assert ("einstein, albert, 1879-1955", "fmo") in mapped["5952219"]["contribution"]
    # this 600 subject has no rdfs:label, only madsrdf:authoritativeLabel, with a final period
    assert ("einstein, albert, 1879-1955--caricatures and cartoons",) in f["subject"]
    # a 655 with subdivisions, which LC attaches as a complex bf:subject: a genre fact
    assert ("woodcuts--japan--meiji period, 1868-1912", "gmgpc") not in f["subject_source"]
    assert f["genre"] == {("accordion fold format (binding)",), ("woodcuts--japan--meiji period, 1868-1912",)}
    assert f["related"] == {("expressionof", "fifty-three stations of the tōkaidō")}  # 240 -> Hub
    assert f["title"] == {("title", "gojūsantsugi", ""), ("varianttitle", "jinbutsu tōkaidō", "")}


def test_serial_with_two_publishers():
    # 264 _1 $3 2013 ... and 264 31 $3 2016- ... (no $c); LC copies the 008 data into the
    # second one. The copy adds no provision tuple, only the codes.
    f = lc("marc2bibframe2__202799094.rdf")["202799094"]
    assert f["provision"] == {
        ("publication", "beijing shi | 北京市✹", "ren min chu ban she | 人民出版社", "2013-"),
        ("publication", "beijing shi | 北京市✹", "she hui ke xue wen xian chu ban she | 社会科学文献出版社", ""),
    }
    assert f["provision_date"] == {("2013-",), ("2013/..",)}
    assert ("cc",) in f["provision_place"]
    assert f["title"] == {
        ("title", "zhong yuan jing ji qu fa zhan zhi shu yan jiu bao gao", ""),
        ("title", "中原经济区发展指数研究报告", ""),
    }
    # 490 (transcribed) and 830 (traced) name the same series; the 880 490/830 are dropped
    assert f["series"] == {("zhong yuan fa zhan yan jiu yuan zhi ku cong shu", "")}
    assert f["identifier_qualifier"] == {("9787509797419", "hardback")}
    assert f["note"] >= {("began with 2013",), ("illustrations",)}


def test_lc_keeps_isbd_punctuation_in_880_fields():
    # the romanized 264 loses its " :" and ",", the paired 880 keeps them (inside RLM marks),
    # and LC's publication statement then doubles the colon
    g = graph("marc2bibframe2__ConvSpec-880__100-600-600complex-700.rdf")
    places = {str(o) for o in g.objects(None, B.BFLC.simplePlace)}
    assert places == {"Tihrān", "\u200fتهران :\u200f"}
    agents = {str(o) for o in g.objects(None, B.BFLC.simpleAgent)}
    assert "\u200fنشر خاموش،\u200f" in agents
    statements = {str(o) for o in g.objects(None, B.BF.publicationStatement)}
    assert any("تهران :\u200f: " in s for s in statements)
    f = lc("marc2bibframe2__ConvSpec-880__100-600-600complex-700.rdf")["21508109"]
    assert f["provision_place"] == {("tihrān",), ("تهران",), ("ir",)}


def test_lc_splits_a_relator_term_at_commas():
    # 700 $e "Investigator, Non-NASA center: KS St U, Manhattan." becomes three roles
    f = lc("marc2bibframe2__nlm.rdf")["934571"]
    assert {r for a, r in f["contribution"] if a == "spooner, b. s"} == {
        "investigator", "non-nasa center: ks st u", "manhattan"
    }


def test_lc_place_for_a_blank_008_country_is_the_list_itself():
    # 008/15-17 blank (a collection of photographs, no 260/264): LC writes
    # bf:place <http://id.loc.gov/vocabulary/countries/>, which names no country
    name = "marc2bibframe2__princeton.rdf"
    empty = B.URIRef("http://id.loc.gov/vocabulary/countries/")
    assert len(list(graph(name).subjects(B.BF.place, empty))) == 4
    f = lc(name)["1133749"]
    assert f["provision"] == {("production", "", "", "1887/1888")}
    assert f["provision_place"] == set()


def test_parallel_880_titles_are_paired_by_language_tag():
    f = lc("marc2bibframe2__ConvSpec-880__100-600-600complex-700.rdf")["21508109"]
    latin = 'majmūʻah-ʼi "dū sadah sukhanvarī"'
    arabic = 'مجموعۀ "دو سده سخنورى"'
    assert ("title", latin, "zamīnah va zamānah-yi sukhanvarī-i saʻdī, khvājū va ḥāfiẓ") in f["title"]
    assert ("title", arabic, "زمينه و زمانه\u200cى سخنورى سعدى، خواجو و حافظ") in f["title"]
    assert not any(t[1] == latin and "سعدى" in t[2] for t in f["title"])
    # a vernacular name is a second label of the same agent: both count
    assert ("pīrūzān, hādī, 1983 or 1984-", "author") in f["contribution"]
    assert ("پيروزان، هادى", "author") in f["contribution"]
    assert ("muʻīnī, farzānah, 1983 or 1984-", "compiler") in f["contribution"]
    assert ("pūr mahdīʹzādah, saḥar, 1990 or 1991-", "ctb") in f["contribution"]
    # vernacular 264 values keep their ISBD punctuation in LC's output; normalized here
    assert f["provision"] == {
        ("publication", "tihrān | تهران", "nashr-i khāmūsh | نشر خاموش", "1398 2019 or 2020"),
    }
    assert ("lccn", "2020373530") in f["identifier"]  # LC keeps the 010 padding "  2020373530"
    assert len([i for i in f["identifier"] if i[0] == "isbn"]) == 10  # 13 x 020, 3 repeats


def test_parallel_series_enumerations_are_paired_by_script():
    f = lc("marc2bibframe2__princeton.rdf")["6226606"]
    assert f["series"] == {
        ("nihon zenkoku panorama chizu", "1"),
        ("日本全国パノラマ地図", "第1卷"),
        # the 830 has only the romanized title but both enumerations
        ("nihon zenkoku panorama chizu", "第1卷"),
    }


def test_linking_entries():
    facts = lc("marc2bibframe2__ConvSpec-760-788-Links__marc.rdf")
    assert set(facts) == {"1", "2", "3"}
    one = facts["1"]["related"]
    assert ("partof", "entomologists' monthly magazine") in one
    assert ("partof", "entomol mon mag") in one  # the 773's abbreviated title
    assert ("otherphysicalformat", "college english") in one
    assert ("additional physical form", "college english") in one  # 776 $i, a second relationship
    assert ("absorbedby", "business week") in one
    assert len(one) == 19
    assert facts["1"]["series"] == {
        ("water supply papers", ""),  # 760
        ("quality of surface waters of the united states", ""),  # 762, subseries
    }
    two = facts["2"]
    splits = {t for r, t in two["related"] if r == "splitinto"}
    assert len(splits) == 8 and "roczniki nauk rolniczych. seria h, rybactwo" in splits
    assert len(two["note"]) == 1  # the 580 sits on LC's bf:Relation
    # no 260/264: the 008 alone gives the provision activity
    assert two["provision"] == {("publication", "pl", "", "19xx/1952")}


def test_identifier_status_and_language_forms():
    bl = lc("marc2bibframe2__british_library.rdf")
    statuses = {s for f in bl.values() for s in f["identifier_status"]}
    assert ("9781847262295", "cancinv") in statuses  # 020 $z
    assert B.totals(bl)["identifier_status"] == 3
    # nlm: 041 with the undefined 2nd indicator 9 becomes [ a bf:Language ; rdf:value "fre" ;
    # bf:part "Resource" ] beside the 008's IRI; both say "fre"
    nlm = lc("marc2bibframe2__nlm.rdf")
    assert nlm["268167"]["language"] == {("fre",)}


def test_names_with_identifiers():
    # agents identified by id.loc.gov / VIAF / ISNI / WorldCat IRIs still have labels
    f = lc("marc2bibframe2__ConvSpec-1XX-6XX-7XX-8XX-names__marc_uris.rdf")["20858356"]
    assert f["contribution"] == {
        ("amin, yasmin", "translator"),
        ("amīn, ḥusayn aḥmad", "author"),
        ("besterman, theodore, 1904-1976", "editor"),
        ("eagle, morris n", "editorial director"),
        ("haider, asad", "author"),
        ("perri, melissa", "author"),
        ("wolitzky, david l. (david leo), 1936-", "editorial director"),
    }
    assert ("roosevelt, theodore, 1858-1919", "lcsh") in f["subject_source"]


def test_subject_sources():
    f = lc("marc2bibframe2__ConvSpec-648-662__marc_uris.rdf")["19799455"]
    assert f["subject_source"] == {
        ("allied occupation of germany (germany : 1918-1930)", "fast"),
        ("gender identity", "lcsh"),
        ("kenwood (chicago, ill.)", "lcsh"),
        ("non-binary people", "homoit"),
        ("sex (psychology)", "fast"),
        ("sexual minorities", "lcsh"),
        ("society", "ukslc"),
        ("transsexualism", "fast"),
    }


# ---------------------------------------------------------------------------------------------
# recall


@pytest.mark.parametrize("path", RDF_FILES, ids=lambda p: p.stem)
def test_recall_of_a_graph_against_itself_is_complete(path: Path):
    facts = lc(path.name)
    r = B.recall(facts, facts)
    assert set(r) == set(B.KINDS)
    assert r == {k: (n, n) for k, n in B.totals(facts).items()}
    for kind in B.KINDS:
        assert B.missing(facts, facts, kind) == {}


def test_removing_one_contribution_lowers_recall_by_one():
    g = copy.deepcopy(graph("seed.rdf"))
    lc_facts = lc("seed.rdf")
    work = next(iter(B.records(g)["587322"][0]))
    (c,) = [
        c for c in g.objects(work, B.BF.contribution)
        for a in g.objects(c, B.BF.agent) if str(next(g.objects(a, RDFS.label))) == "Thoër, Christine"
    ]
    g.remove((work, B.BF.contribution, c))
    r = B.recall(B.facts(g), lc_facts)
    assert r["contribution"] == (11, 12)
    assert r["agent_type"] == (11, 12)  # the agent is known only through its contribution
    assert r["primary_contribution"] == (1, 1)
    assert full({k: v for k, v in r.items() if k not in ("contribution", "agent_type")})
    assert B.missing(B.facts(g), lc_facts, "contribution") == {"587322": [("thoër, christine", "author")]}


def test_removing_the_primary_contribution():
    name = "marc2bibframe2__princeton.rdf"
    g = copy.deepcopy(graph(name))
    theirs = lc(name)
    work = B.records(g)["6294"][0][0]
    (c,) = [c for c in g.objects(work, B.BF.contribution) if (c, RDF.type, B.BF.PrimaryContribution) in g]
    g.remove((work, B.BF.contribution, c))
    r = B.recall(B.facts(g), theirs)
    total = B.totals(theirs)
    assert r["contribution"] == (total["contribution"] - 1, total["contribution"])
    assert r["primary_contribution"] == (total["primary_contribution"] - 1, total["primary_contribution"])
    assert r["title"] == (total["title"], total["title"])


def test_recall_counts_only_records_present_in_both():
    theirs = lc("marc2bibframe2__princeton.rdf")
    ours = {k: v for k, v in theirs.items() if k != "6294"}
    r = B.recall(ours, theirs)
    assert r["title"] == (B.totals(theirs)["title"] - 1,) * 2
    assert B.missing(ours, theirs, "title") == {}


# ---------------------------------------------------------------------------------------------
# another converter's shape: IRIs minted from headings, structured places and agents, relator
# IRIs, ISBD punctuation left in, a decomposed "à", a Title with an IRI, a second record LC
# does not have that links to the first

OURS = """
@prefix bf: <http://id.loc.gov/ontologies/bibframe/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix rel: <http://id.loc.gov/vocabulary/relators/> .
@prefix lang: <http://id.loc.gov/vocabulary/languages/> .
@prefix bib: <https://data.example.org/bib/> .
@prefix agent: <https://data.example.org/agent/> .

<https://data.example.org/bib/6294#Work> a bf:Text ;
    bf:title <https://data.example.org/bib/6294#Title> ;
    bf:contribution [ a bf:PrimaryContribution ;
        bf:agent agent:krafft-j-ch-jean-charles-1764-1833 ; bf:role rel:aut ] ;
    bf:language lang:fre ;
    bf:hasInstance <https://data.example.org/bib/6294#Instance> .
agent:krafft-j-ch-jean-charles-1764-1833 a bf:Person ;
    rdfs:label "Krafft, J. Ch. (Jean-Charles), 1764-1833." .
<https://data.example.org/bib/6294#Title> a bf:Title ;
    bf:mainTitle "Plans, coupes, elevations des plus belles maisons et des hotels construits a\u0300 Paris et dans les environs /" .
<https://data.example.org/bib/6294#Instance> a bf:Print ;
    bf:instanceOf <https://data.example.org/bib/6294#Work> ;
    bf:provisionActivity [ a bf:Publication ;
        bf:place [ a bf:Place ; rdfs:label "Paris :" ] ;
        bf:agent [ a bf:Agent ; rdfs:label "The editors," ] ;
        bf:date "[1801-1803?]" ] ;
    bf:extent [ a bf:Extent ; rdfs:label "46 p. :" ] ;
    bf:dimensions "55 cm." ;
    bf:identifiedBy [ a bf:Lccn ; rdf:value "12-023599" ] .

<https://data.example.org/bib/9999#Work> a bf:Work ;
    bf:title [ a bf:Title ; bf:mainTitle "Not in LC's file" ] ;
    bf:relatedTo <https://data.example.org/bib/6294#Work> .
"""


def test_other_shapes_compare_fact_by_fact():
    g = B.load_data(OURS, format="turtle")
    ours = B.facts(g)
    # the link from 9999 does not make 6294 a mere related work
    assert set(ours) == {"6294", "9999"}
    assert ours["9999"]["related"] == {("relatedto", next(iter(ours["6294"]["title"]))[1])}
    r = B.recall(ours, lc("marc2bibframe2__princeton.rdf"))
    assert r["title"] == (1, 1)
    assert r["contribution"] == (1, 2)
    assert r["primary_contribution"] == (1, 1)
    assert r["agent_type"] == (1, 2)
    assert r["language"] == (1, 3)
    assert r["provision"] == (1, 1)
    assert r["provision_place"] == (1, 2)  # not the 008 country code
    assert r["provision_date"] == (1, 2)  # not the 008 EDTF date
    assert r["provision_agent"] == (1, 1)
    assert r["extent"] == (1, 1)
    assert r["note"] == (0, 3)
    assert r["dimensions"] == (1, 1)
    assert r["identifier"] == (1, 3)
    assert r["work_type"] == (1, 2)
    assert r["instance_type"] == (0, 1)
    assert B.missing(ours, lc("marc2bibframe2__princeton.rdf"), "contribution") == {
        "6294": [("ransonnette, pierre nicolas, 1745-1810", "ctb")]
    }


def test_key_function_is_a_parameter():
    g = B.load_data(OURS, format="turtle")
    assert set(B.facts(g, key=lambda iri: "x" + B.default_key(iri))) == {"x6294", "x9999"}
    assert B.base_key("https://data.example.org/")("https://data.example.org/bib/6294#Work") == "bib/6294"
    assert B.default_key("http://example.org/587322#Instance856-26") == "587322"
