"""Many small inputs travel a few to a task, and large whole inputs start before their turn: on
any number of processes the output, the rejects, the messages and the counts are those of one."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from marc2rdf import cli
from marc2rdf.parallel import CHUNK_BYTES, WHOLE_BYTES, Settings, Taper, grouped, iso2709_chunks, tasks
from marc2rdf.pipeline import Run

from support import CORPUS

SMALL = [CORPUS / "iso2709/pymarc__marc.mrc", CORPUS / "json/yaz__marc1.json", CORPUS / "mrk/marc4j__brkrtest.mrk",
         CORPUS / "marcxml/catmandu-marc__marc.xml", CORPUS / "json/searchworks__444.json"]
REJECTS = CORPUS / "malformed/pymarc__bad_records.mrc"  # a reject and records read in the same input
LARGE = CORPUS / "marcxml/marc2bibframe2__gwu.xml"  # one task of 99 records


@pytest.fixture
def inputs(tmp_path):
    """Small inputs of every kind, with a reject, an input that cannot be opened, an empty one and
    one that is not MARC in the middle of them, then a large MARCXML input."""
    files = []
    for i in range(12):
        for src in SMALL:
            dst = tmp_path / f"{i:02d}-{src.name}"
            shutil.copy(src, dst)
            files.append(dst)
        if i == 5:
            (tmp_path / "empty.mrc").write_bytes(b"")
            (tmp_path / "not-marc.txt").write_text("Dear reader, this is a letter.\n")
            files += [REJECTS, tmp_path / "missing.mrc", tmp_path / "empty.mrc", tmp_path / "not-marc.txt", REJECTS]
    return [str(f) for f in (*files, LARGE)]


def convert(capsys, tmp_path, inputs, jobs, *args):
    out, rejects = tmp_path / f"{jobs}.out", tmp_path / f"{jobs}.rej"
    status = cli.main(["convert", "--no-progress", "-o", str(out), "--rejects", str(rejects), "--jobs", str(jobs),
                       *args, *inputs])
    err = capsys.readouterr().err.replace(str(rejects), "REJECTS")
    log = rejects.with_name(rejects.name + ".log")
    return status, out.read_bytes(), rejects.read_bytes(), log.read_text(), err


def test_small_inputs_are_a_few_to_a_task_and_their_contexts_stay_in_order(inputs):
    run, settings = Run(inputs), Settings()
    alone = list(tasks(run, settings))
    together = list(grouped(tasks(run, settings), CHUNK_BYTES))
    assert sum(task is not None for task, _ in alone) == len(inputs) - 3  # missing, empty, not MARC: no task
    assert sum(task is not None for task, _ in together) <= len(inputs) // 4
    assert any(task and task[0] == "group" for task, _ in together)

    def flat(stream):
        for task, ctx in stream:
            if ctx[0] == "group":
                for part, i in ctx[1]:
                    yield (None if i is None else task[2][i]), part
            else:
                yield task, ctx

    assert [(t and t[2:], ctx[:2]) for t, ctx in flat(together)] == [(t and t[2:], ctx[:2]) for t, ctx in alone]
    for task, _ in together:
        if task is not None and task[0] == "group":
            assert sum(len(part[4]) for part in task[2]) <= CHUNK_BYTES
            assert all(part[1] is task[1] for part in task[2])  # the settings are pickled once a task


def test_a_large_whole_input_starts_before_its_turn_and_a_few_at_a_time(inputs):
    run = Run(inputs)
    stream = list(tasks(run, Settings(), ahead=WHOLE_BYTES))
    last = len(inputs) - 1
    started = stream.index(next(s for s in stream if s[1] == ("ahead", last)))
    assert started < stream.index((None, ("begin", inputs[0]))) + 2  # the large one: from the start
    taken = stream.index(next(s for s in stream if s[0] == ("ahead", last)))
    assert stream[taken - 1] == (None, ("begin", inputs[last])) and stream[taken][1] == ("raw", inputs[last])
    assert stream[started][0][4] == LARGE.read_bytes()

    # at most ``ahead`` bytes of them held: with room for one, the next waits for the first's turn
    xml = [str(CORPUS / "marcxml" / n) for n in ("marc2bibframe2__gwu.xml", "marc2bibframe2__nlm.xml")]
    stream = list(tasks(Run([*inputs[:3], *xml]), Settings(), ahead=LARGE.stat().st_size))
    kinds = [(ctx[0], ctx[1] if ctx[0] in ("ahead", "begin", "end") else None) for _, ctx in stream]
    assert kinds.index(("ahead", 3)) < kinds.index(("begin", inputs[0]))
    assert kinds.index(("end", inputs[2])) < kinds.index(("ahead", 4)) < kinds.index(("begin", xml[0]))
    assert [k for k in kinds if k[0] in ("begin", "end")] == [(e, p) for p in (*inputs[:3], *xml) for e in ("begin", "end")]


@pytest.mark.parametrize("jobs", [2, 3])
def test_many_small_inputs_give_the_output_rejects_and_messages_of_one_process(capsys, tmp_path, inputs, jobs):
    one = convert(capsys, tmp_path, inputs, 1)
    status, out, rejects, log, err = one
    assert status == 2 and out and rejects
    assert "missing.mrc: cannot open" in err and "not-marc.txt: cannot tell which MARC serialization" in err
    assert log.count("rejected ") == 2 and "4 input(s) could not be read" not in err
    assert convert(capsys, tmp_path, inputs, jobs) == one
    assert convert(capsys, tmp_path, inputs, jobs, "-t", "turtle")[1:] == convert(capsys, tmp_path, inputs, 1,
                                                                                  "-t", "turtle")[1:]


def test_a_group_stops_at_the_record_one_process_stops_at(capsys, tmp_path, inputs):
    one = convert(capsys, tmp_path, inputs, 1, "--strict")
    assert one[0] == 1 and one[1]
    assert convert(capsys, tmp_path, inputs, 2, "--strict") == one


def test_an_input_failing_in_a_worker_in_the_middle_of_a_group(capsys, tmp_path):
    # --from mrk: the ISO 2709 inputs among the MarcEdit ones fail when the worker reads them, the JSON
    # one is a reject
    mrk, iso = CORPUS / "mrk/marc4j__brkrtest.mrk", CORPUS / "iso2709/pymarc__marc.mrc"
    files = [str(p) for p in (mrk, iso, REJECTS, mrk, CORPUS / "json/yaz__marc1.json")]
    one = convert(capsys, tmp_path, files, 1, "--from", "mrk")
    assert one[0] == 2 and one[4].count("error: ") == 2 and "rejected " in one[4]
    assert [task[0] for task, _ in grouped(tasks(Run(files, "mrk"), Settings()), CHUNK_BYTES) if task] == ["group"]
    assert convert(capsys, tmp_path, files, 2, "--from", "mrk") == one


def test_the_workers_are_forked_with_the_readers_of_the_first_tasks(tmp_path):
    # each worker notes, at its first task, whether the MARCXML reader was imported before it
    script = tmp_path / "run.py"
    script.write_text(f"""
import os, sys
from marc2rdf import cli, parallel

convert = parallel.run_task

def run_task(task):
    with open({str(tmp_path)!r} + "/" + str(os.getpid()), "a") as fh:
        fh.write(str("marc2rdf.readers.marcxml" in sys.modules))
    return convert(task)

parallel.run_task = run_task
assert "marc2rdf.readers.marcxml" not in sys.modules
sys.exit(cli.main(["convert", "--no-progress", "--jobs", "2", "-o", os.devnull, *sys.argv[1:]]))
""")
    xml = sorted(str(p) for p in (CORPUS / "marcxml").glob("lobid__*.xml"))
    proc = subprocess.run([sys.executable, str(script), *xml], capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()
    firsts = [p.read_text()[:4] for p in tmp_path.iterdir() if p.name.isdigit()]
    assert firsts and set(firsts) == {"True"}


# -- tasks that shrink towards the end of the work -----------------------------------------------

PRIDE = CORPUS / "iso2709/marc4j__pride-and-prejudice-fixed.mrc"  # 383 records, 352,005 bytes


def _task_bytes(stream) -> list[int]:
    sizes = []
    for task, _ in stream:
        if task is not None:
            sizes.append(sum(len(p[4]) for p in task[2]) if task[0] == "group" else len(task[4]))
    return sizes


def test_iso2709_pieces_take_the_size_asked_before_each_one():
    data = PRIDE.read_bytes()
    longest = max(len(r) + 1 for r in data.split(b"\x1d"))
    asked = iter([20_000, 9_000, 30_000] + [4_000] * 1000)
    wanted: list[int] = []

    def sizes():
        wanted.append(next(asked))
        return wanted[-1]

    pieces = list(iso2709_chunks(io.BytesIO(data), 16_384, sizes))
    assert b"".join(p for _, p in pieces) == data
    assert [start for start, _ in pieces] == [sum(len(p) for _, p in pieces[:i]) for i in range(len(pieces))]
    # at most `size` (16,384) asked of a piece; each ends at the first record boundary after it
    for (_, piece), want in zip(pieces[:-1], wanted, strict=False):
        want = min(want, 16_384)
        assert piece.endswith(b"\x1e\x1d") and want <= len(piece) < want + longest
    assert [len(p) < 16_384 + longest for _, p in pieces[:2]] == [True, True] and len(pieces[1][1]) < 9_000 + longest


def test_tasks_shrink_towards_the_end_and_give_out_every_byte(tmp_path):
    run = Run([str(PRIDE)])
    settings = Settings()
    even = _task_bytes(grouped(tasks(run, settings, chunk_bytes=32_768), 32_768))
    taper = Taper(run.inputs, 2, 32_768, 4_096)
    shrinking = _task_bytes(grouped(tasks(run, settings, chunk_bytes=32_768, taper=taper), 32_768, taper=taper))
    assert sum(even) == sum(shrinking) == PRIDE.stat().st_size and taper.left == 0
    assert len(even) == 11 and min(even[:-1]) >= 32_768
    # whole tasks while 4 × 32 KiB is left, then a quarter of what is left, down to 4 KiB
    assert len(shrinking) > len(even) + 5 and shrinking[:6] == even[:6]
    assert shrinking[-2] < 4_096 + 3_000 and max(shrinking[-5:]) < 12_000
    left = PRIDE.stat().st_size
    for size in shrinking[:-1]:
        assert size >= max(4_096, min(32_768, left // 4))  # a piece ends after the size asked
        left -= size


def test_every_input_byte_is_counted_once_whatever_travels_how(inputs):
    run = Run(inputs)
    taper = Taper(run.inputs, 3, CHUNK_BYTES, 8_192)
    total = taper.left
    assert total == sum(Path(p).stat().st_size for p in inputs if Path(p).exists())  # the missing one: 0
    stream = list(grouped(tasks(run, Settings(), ahead=WHOLE_BYTES, taper=taper), CHUNK_BYTES, taper=taper))
    assert taper.left == 0 and stream[-1] == (None, ("end", inputs[-1]))
    # standard input and gzip have no size to count from: every task is of the most bytes
    assert Taper(["-", *inputs], 2, CHUNK_BYTES, 8_192)() == CHUNK_BYTES
    assert Taper([*inputs, "x.mrc.gz"], 2, CHUNK_BYTES, 8_192).left is None
    fifo = Path(inputs[0]).with_name("pipe.mrc")
    os.mkfifo(fifo)  # a named pipe: its size on disk (0) says nothing of what will come through it
    assert Taper([str(fifo)], 2, CHUNK_BYTES, 8_192).left is None
    assert Taper([str(fifo)], 2, CHUNK_BYTES, 8_192)() == CHUNK_BYTES
