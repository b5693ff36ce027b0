"""The compiled-rule cache: a warm cache gives the very mappers a cold one and no cache give, and
a damaged, foreign or unwritable cache only costs a compile."""

from __future__ import annotations

import marshal
from pathlib import Path

import pytest

from marc2rdf.mapping import load_mappers
from marc2rdf.mapping.codecache import _TAG, cache_dir, compiled
from marc2rdf.readers import read
from marc2rdf.readers.base import Read

from support import CORPUS

INPUTS = [CORPUS / "marcxml/marc2bibframe2__gwu.xml", CORPUS / "iso2709/evergreen__hebrew.mrc"]


@pytest.fixture(scope="module")
def records():
    return [item.record for path in INPUTS for item in read(path) if isinstance(item, Read)]


def outputs(profile: str, records) -> list:
    mapper = load_mappers([profile])[0]
    return [mapper.map(r) for r in records]


def code_files(folder: Path) -> list[Path]:
    return sorted((folder / _TAG).glob("*.code"))


@pytest.mark.parametrize("profile", ["bibframe", "schema"])
def test_cold_warm_and_no_cache_map_alike(profile, records, tmp_path, monkeypatch):
    monkeypatch.setenv("MARC2RDF_RULE_CACHE", "off")
    expected = outputs(profile, records)
    assert len(records) == 119 and sum(map(len, expected)) > 5_000
    monkeypatch.setenv("MARC2RDF_RULE_CACHE", str(tmp_path))
    assert outputs(profile, records) == expected  # cold: compiled and written
    files = code_files(tmp_path)
    fused = {(rid, run.source) for rid, run in load_mappers([profile])[0].rules if hasattr(run, "source")}
    assert len(files) == len(fused) > 40  # one file a generated rule function
    stamps = {f: f.stat().st_mtime_ns for f in files}
    assert outputs(profile, records) == expected  # warm: read back
    assert {f: f.stat().st_mtime_ns for f in code_files(tmp_path)} == stamps  # nothing written again


@pytest.mark.parametrize("setting", ["off", "", " OFF "])
def test_off_writes_nothing(setting, records, tmp_path, monkeypatch):
    monkeypatch.setenv("MARC2RDF_RULE_CACHE", setting)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache_dir() is None
    load_mappers(["bibframe"])
    assert list(tmp_path.rglob("*")) == []


def test_default_folder_follows_xdg(tmp_path, monkeypatch):
    monkeypatch.delenv("MARC2RDF_RULE_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "marc2rdf" / "rules"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "marc2rdf" / "rules"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # ignored, as the XDG specification says
    assert cache_dir() == tmp_path / "home" / ".cache" / "marc2rdf" / "rules"


def test_no_home_no_cache(tmp_path, monkeypatch):
    # with no home to be found, expanduser leaves "~" as it is: no "~" folder is made where we run
    monkeypatch.delenv("MARC2RDF_RULE_CACHE")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr("os.path.expanduser", lambda path: path)
    monkeypatch.chdir(tmp_path)
    assert cache_dir() is None
    namespace: dict = {}
    exec(compiled("def run():\n    return 1\n", "<rule d>"), namespace)
    assert namespace["run"]() == 1 and list(tmp_path.iterdir()) == []


def test_damaged_and_foreign_files_are_compiled_again(tmp_path, monkeypatch):
    monkeypatch.setenv("MARC2RDF_RULE_CACHE", str(tmp_path))
    source = "def run(x):\n    return x * 2\n"
    compiled(source, "<rule a>")
    [path] = code_files(tmp_path)
    good = path.read_bytes()
    damaged = [b"", b"\x00garbage", good[: len(good) // 2], marshal.dumps(("not", "code")),
               marshal.dumps(compile(source, "<rule other>", "exec"))]  # code, but of another name
    for bad in damaged:
        path.write_bytes(bad)
        code = compiled(source, "<rule a>")
        namespace: dict = {}
        exec(code, namespace)
        assert namespace["run"](21) == 42 and code.co_filename == "<rule a>"
        assert path.read_bytes() == good  # written anew
    # another source, or the same source under another name, has a file of its own
    compiled(source.replace("2", "3"), "<rule a>")
    compiled(source, "<rule b>")
    assert len(code_files(tmp_path)) == 3


def test_a_folder_that_cannot_be_written_only_costs_a_compile(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder would be")
    monkeypatch.setenv("MARC2RDF_RULE_CACHE", str(blocker / "cache"))
    namespace: dict = {}
    exec(compiled("def run():\n    return 'ok'\n", "<rule c>"), namespace)
    assert namespace["run"]() == "ok"
    assert blocker.read_text() == "a file where the folder would be"
    assert not list(tmp_path.glob(".*.tmp")) and sorted(p.name for p in tmp_path.iterdir()) == ["file"]
