"""Every malformed input of the corpus, whatever its serialization, goes through the detecting
entry point without an exception: each record is read or rejected with its position, and the
`records` command's counts reconcile with what it wrote and rejected."""

import json
import subprocess
import sys

import pytest

from marc2rdf.readers import read
from marc2rdf.readers.base import Read, Reject

from support import CORPUS

MALFORMED = sorted((CORPUS / "malformed").iterdir())


@pytest.mark.parametrize("path", MALFORMED, ids=lambda p: p.name)
def test_read_or_rejected_with_position(path):
    items = list(read(path))
    assert items, "a non-empty input yields at least one item"
    for n, item in enumerate(items, 1):
        assert isinstance(item, (Read, Reject))
        assert item.position.ordinal == n
        assert item.position.file == str(path)
        assert item.position.offset is not None or item.position.line is not None
        if isinstance(item, Reject):
            assert item.raw and item.reason


@pytest.mark.parametrize("path", MALFORMED, ids=lambda p: p.name)
def test_records_command_reconciles(path, tmp_path):
    out, rejects = tmp_path / "out.json", tmp_path / "rejects"
    proc = subprocess.run(
        [sys.executable, "-m", "marc2rdf", "records", str(path), "-o", str(out), "--rejects", str(rejects)],
        capture_output=True, timeout=120,
    )
    assert b"Traceback" not in proc.stderr
    items = list(read(path))
    n_read = sum(isinstance(i, Read) for i in items)
    n_rejected = len(items) - n_read
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(written) == n_read
    summary = proc.stderr.decode().strip().splitlines()[-1]
    assert summary.startswith(f"{len(items):,} record{'s' if len(items) != 1 else ''} read, {n_read:,} written, {n_rejected:,} rejected")
    assert proc.returncode == (3 if n_rejected else 0)
    if n_rejected:
        assert rejects.read_bytes() == b"".join(i.raw for i in items if isinstance(i, Reject))
        assert len((tmp_path / "rejects.log").read_text(encoding="utf-8").splitlines()) >= n_rejected
