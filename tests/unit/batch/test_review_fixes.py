"""Fixes from the review of 3021d49: an unreadable ``summary.csv`` is an error, not an empty
summary; the batch lock; the progress file written from two threads; output folder names from
manifest paths. Keypoint CSVs: no pose model."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

import runform
from runform.batch import (
    SUMMARY_FILE,
    BatchItem,
    ProgressFile,
    claim_names,
    earlier_rows,
    read_inputs,
    read_progress,
    run_batch,
    run_from_inputs,
)
from runform.batch import runner as runner_module
from runform.batch.runner import LOCK_FILE, batch_lock
from runform.cli import app
from runform.errors import OptionError, OutputError

runner = CliRunner()
ROOT = Path(runform.__file__).resolve().parents[1]  # the runform under test, for child processes


def _words(text: str) -> str:
    return " ".join(text.split())


# --- an existing summary.csv that cannot be read ---------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [b"name,path\n\"unclosed,quote\n", b"name,path\na,\xff\xfe\xfa\n", b"", b"just,other,columns\n1,2,3\n"],
    ids=["parser", "not-utf8", "empty", "no-name-column"],
)
def test_unreadable_summary_is_an_output_error_not_an_empty_summary(tmp_path, content):
    (tmp_path / SUMMARY_FILE).write_bytes(content)
    with pytest.raises(OutputError) as caught:
        earlier_rows(tmp_path)
    assert caught.value.exit_code == 7
    assert "summary.csv as runform writes it" in caught.value.message
    assert "move it away to start the summary afresh" in caught.value.message


def test_absent_summary_is_empty(tmp_path):
    assert earlier_rows(tmp_path) == []


def test_batch_into_a_folder_with_a_broken_summary_stops_and_keeps_it(tmp_path, gait_csv):
    clip = tmp_path / "a.csv"
    shutil.copy(gait_csv, clip)
    out = tmp_path / "out"
    out.mkdir()
    broken = b"name,path\n\"unclosed,quote\n"
    (out / SUMMARY_FILE).write_bytes(broken)
    with ThreadPoolExecutor(1) as executor, pytest.raises(OutputError):
        run_batch([BatchItem(str(clip), "a", {"write_report": False})], out, executor)
    assert (out / SUMMARY_FILE).read_bytes() == broken  # not overwritten
    assert not (out / "a").exists()  # nothing run
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"path\n{clip}\n")
    result = runner.invoke(app, ["batch", str(manifest), "-o", str(out), "--height", "1.7", "--workers", "1"])
    assert result.exit_code == 7, result.output
    assert "Cannot read the earlier batch summary" in _words(result.output)
    assert (out / SUMMARY_FILE).read_bytes() == broken


# --- output folder names from manifest paths -------------------------------------------------------


@pytest.mark.parametrize("file_name, folder", [("..mp4", "clip"), ("...mp4", "clip"), (".hidden.mp4", "hidden"),
                                               ("..x.mp4", "x"), ("a..mp4", "a.")])  # fmt: skip
def test_manifest_path_never_gives_a_dot_or_hidden_folder(tmp_path, file_name, folder):
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"path\n{file_name}\n")
    (item,) = read_inputs(manifest)
    assert item.name == folder
    assert (tmp_path / "out" / item.name).resolve().parent == (tmp_path / "out").resolve()


def test_earlier_summary_name_outside_the_folder_is_not_reused(tmp_path):
    clip = str(tmp_path / "a.mp4")
    earlier = [{"name": "../escape", "path": clip}, {"name": "..", "path": str(tmp_path / "b.mp4")}]
    items = claim_names([BatchItem(clip, "a"), BatchItem(str(tmp_path / "b.mp4"), "b")], tmp_path / "out", earlier)
    assert [i.name for i in items] == ["a", "b"]


# --- the progress file, written from two threads -----------------------------------------------------


def test_progress_file_from_two_threads_never_fails_a_write_nor_goes_back(tmp_path, caplog):
    path = tmp_path / "job.progress.json"
    progress = ProgressFile(path, min_interval_s=0.0)
    start, stop, seen = threading.Barrier(3), threading.Event(), []

    def stage(name: str) -> None:
        start.wait()
        for done in range(1, 401):
            progress(done, 400, name)

    def reader() -> None:
        start.wait()
        while not stop.is_set():
            value = read_progress(path)
            if value is not None:
                seen.append(value)

    threads = [threading.Thread(target=stage, args=(s,)) for s in ("report", "video")]
    watcher = threading.Thread(target=reader)
    with caplog.at_level(logging.DEBUG, logger="runform.batch.job"):
        for thread in [*threads, watcher]:
            thread.start()
        for thread in threads:
            thread.join()
        stop.set()
        watcher.join()
    assert not [r for r in caplog.records if "cannot write progress" in r.getMessage()]
    assert seen == sorted(seen)  # never back
    assert read_progress(path) == progress.fraction == 1.0
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temporary file left
    progress.remove()
    progress(1, 1, "video")  # after the end: nothing written again
    assert list(tmp_path.iterdir()) == []


# --- the batch lock ------------------------------------------------------------------------------------

_HOLD = """
import sys, time
from pathlib import Path
from runform.batch.runner import batch_lock
from runform.errors import OutputError
out, log = Path(sys.argv[1]), Path(sys.argv[2])
try:
    with batch_lock(out):
        with log.open("a") as f:
            f.write(f"in {time.monotonic()}\\n")
        time.sleep(float(sys.argv[3]))
        with log.open("a") as f:
            f.write(f"out {time.monotonic()}\\n")
except OutputError:
    with log.open("a") as f:
        f.write("refused\\n")
"""


def _holders(out: Path, log: Path, n: int, hold_s: float) -> list[subprocess.Popen]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return [subprocess.Popen([sys.executable, "-c", _HOLD, str(out), str(log), str(hold_s)], env=env) for _ in range(n)]


def test_batches_racing_for_a_dead_batchs_lock_enter_one_at_a_time(tmp_path):
    out, log = tmp_path / "out", tmp_path / "log"
    out.mkdir()
    (out / LOCK_FILE).write_text(f"999999999@{socket.gethostname()}")  # left by a batch that died
    for process in _holders(out, log, 4, 1.0):
        assert process.wait(60) == 0
    lines = log.read_text().split()
    assert lines.count("in") == 1 and lines.count("refused") == 3, lines
    assert not (out / LOCK_FILE).exists()


def test_a_lock_is_free_when_its_process_is_gone_on_any_machine(tmp_path):
    out, log = tmp_path / "out", tmp_path / "log"
    out.mkdir()
    (holder,) = _holders(out, log, 1, 60.0)
    deadline = time.monotonic() + 30
    while not log.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    with pytest.raises(OutputError, match=f"held by process {holder.pid}@"), batch_lock(out):
        pass
    holder.kill()  # killed: no clean-up, its lock file stays
    holder.wait(30)
    assert (out / LOCK_FILE).exists()
    (out / LOCK_FILE).write_text("4242@another-node")  # a dead batch of another machine of the cluster
    with batch_lock(out):
        assert (out / LOCK_FILE).read_text() == f"{os.getpid()}@{socket.gethostname()}"
    assert not (out / LOCK_FILE).exists()


def test_a_lock_that_keeps_being_replaced_is_refused_and_left_alone(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(runner_module.os.path, "samestat", lambda a, b: False)  # each time, another batch's new file
    with pytest.raises(OutputError, match="Cannot take the batch lock"), batch_lock(out):
        raise AssertionError("entered without the lock")
    monkeypatch.undo()
    with batch_lock(out):
        pass


def test_a_filesystem_that_cannot_lock_still_keeps_one_batch_at_a_time(tmp_path, monkeypatch, caplog):
    """flock failing with ENOLCK (a network share mounted without locks): a marker file created
    exclusively holds the folder instead; a second batch is refused, and after the first ends the
    next one enters (the fallback used to refuse every batch, its own lock file in the way)."""
    import errno

    def no_locks(fd, operation):  # noqa: ANN001, ANN202, ARG001
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(runner_module.fcntl, "flock", no_locks)
    out = tmp_path / "out"
    out.mkdir()
    with batch_lock(out):
        assert (out / (LOCK_FILE + ".held")).read_text().startswith(f"{os.getpid()}@")
        with pytest.raises(OutputError, match="Another runform batch is writing") as busy, batch_lock(out):
            raise AssertionError("entered a held folder")
        assert "remove" in busy.value.fix
    assert "cannot lock" in caplog.text
    assert not (out / (LOCK_FILE + ".held")).exists()
    with batch_lock(out):  # the next batch
        pass


def test_a_held_flock_does_not_tell_the_user_to_remove_its_file(tmp_path):
    """Removing a held flock's file would let a second batch in beside the first."""
    out = tmp_path / "out"
    out.mkdir()
    with batch_lock(out), pytest.raises(OutputError) as busy, batch_lock(out):
        pass
    assert "remove" not in busy.value.fix and "wait for it to finish" in busy.value.fix


# --- runform batch decides under the lock ----------------------------------------------------------------


def test_a_clip_that_changes_before_the_batch_takes_its_lock_is_run(tmp_path, gait_csv, monkeypatch):
    """What to run was decided before the lock and again under it: a clip finished at the first look
    and changed before the second was submitted to no executor (None.submit: AttributeError)."""
    clip = tmp_path / "a.csv"
    shutil.copy(gait_csv, clip)
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"path\n{clip}\n")
    out = tmp_path / "out"
    args = ["batch", str(manifest), "-o", str(out), "--height", "1.7", "--workers", "1", "--no-report"]
    assert runner.invoke(app, args).exit_code == 0
    first = (out / "a" / "analysis.json").stat().st_mtime_ns
    real_lock = runner_module.batch_lock

    @contextmanager
    def lock_after_a_change(folder: Path) -> Iterator[None]:
        clip.write_text(clip.read_text() + "\n")  # the clip replaced while this batch waited for the lock
        with real_lock(folder):
            yield

    monkeypatch.setattr(runner_module, "batch_lock", lock_after_a_change)
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "already finished" not in result.output
    assert (out / "a" / "analysis.json").stat().st_mtime_ns != first


def test_nothing_left_to_run_starts_no_cluster(tmp_path, gait_csv, monkeypatch):
    clip = tmp_path / "a.csv"
    shutil.copy(gait_csv, clip)
    items = [BatchItem(str(clip), "a", {"write_report": False})]
    out = tmp_path / "out"
    with ThreadPoolExecutor(1) as executor:
        run_batch(items, out, executor)

    def no_cluster(*args: object, **kwargs: object) -> None:
        raise AssertionError("a Dask cluster was started with nothing to run")

    monkeypatch.setattr(runner_module, "make_executor", no_cluster)
    seen = []
    rows = run_from_inputs(items, out, started=lambda claimed, n: seen.append(([i.name for i in claimed], n)))
    assert seen == [(["a"], 0)] and [r["status"] for r in rows] == ["done"]
    with pytest.raises(OptionError, match="Invalid number of workers"):
        run_from_inputs(items, tmp_path / "other", workers=0)
    assert not (tmp_path / "other").exists()  # refused before anything is written
