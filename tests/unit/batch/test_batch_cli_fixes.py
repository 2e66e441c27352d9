"""Three ``runform batch`` fixes: a bad command-line value is refused before anything is written
(exit 3, ``runform analyze``'s message) while a bad manifest cell fails only its row; after Ctrl-C
no temporary folder is left and the message says what is recorded; a clip whose file changed
since its recorded run is run again (``source_stamp``). Keypoint CSVs: no pose model."""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest
from typer.testing import CliRunner

from runform.batch import (
    SUMMARY_FILE,
    BatchItem,
    interrupted,
    pending_items,
    read_inputs,
    remove_partial_outputs,
    run_batch,
    source_stamp,
)
from runform.batch.job import config_options
from runform.cli import app
from runform.errors import OptionError

runner = CliRunner()


def _words(text: str) -> str:
    return " ".join(text.split())


# --- 1. bad command-line values: refused up front --------------------------------------------


@pytest.mark.parametrize("flag, value", [("--height", "178"), ("--event", "42k"), ("--treadmill-speed", "99")])
def test_bad_default_is_refused_before_anything_is_written(tmp_path, gait_csv, flag, value):
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"path\n{gait_csv}\n")
    out = tmp_path / "bo"
    result = runner.invoke(app, ["batch", str(manifest), "-o", str(out), flag, value])
    assert result.exit_code == 3, result.output
    assert not out.exists()  # no folder, summary or cluster
    analyze = runner.invoke(app, ["analyze", str(gait_csv), "-o", str(tmp_path / "a"), flag, value])
    assert analyze.exit_code == 3
    message = _words(analyze.output)
    assert message.startswith("Error (OptionError, exit 3):") and flag in message
    assert message in _words(result.output)  # the same message as runform analyze gives


def test_read_inputs_checks_the_defaults_not_the_manifest_cells(tmp_path, gait_csv):
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"path,height_m\n{gait_csv},178\n")
    assert read_inputs(manifest, {"height_m": 1.7})[0].options["height_m"] == "178"  # checked by its job
    with pytest.raises(OptionError, match="--height"):
        read_inputs(manifest, {"height_m": 178.0})


def test_bad_manifest_row_is_that_rows_failure(tmp_path, gait_csv):
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"path,athlete,height_m\n{gait_csv},Ann,\n{gait_csv},Bob,178\n")
    out = tmp_path / "out"
    result = runner.invoke(app, ["batch", str(manifest), "-o", str(out), "--height", "1.7", "--workers", "1",
                                 "--no-report"])  # fmt: skip
    assert result.exit_code == 1, result.output
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary["status"]) == ["done", "failed"]
    assert "OptionError" in summary["reason"][1] and "--height" in summary["reason"][1]
    assert summary["reason"][1].startswith("line 3 of m.csv: ")  # which manifest row gave the bad cell
    assert summary["reason"].isna()[0]


def test_fast_cell_says_yes_or_no_per_row_and_refuses_other_words(tmp_path, gait_csv):
    """A "no" turns the command line's --fast off for its row (it used to be ignored), and a word
    that is neither is that row's failure (it used to mean "not fast" silently)."""
    manifest = tmp_path / "m.csv"
    manifest.write_text("path,fast\n" + "".join(f"{gait_csv},{cell}\n" for cell in ("no", "YES", "on", "")), encoding="utf-8")
    no, yes, on, empty = read_inputs(manifest, {"fast": True})
    assert (no.options["fast"], yes.options["fast"], on.options["fast"], empty.options["fast"]) == (False, True, "on", True)
    assert config_options(no.options) == {} and config_options(yes.options) == {"model_complexity": 0}
    with pytest.raises(OptionError, match="fast must be yes or no; got 'on'"):
        config_options(on.options)


# --- 2. Ctrl-C: nothing half-written, a true message -------------------------------------------


def test_remove_partial_outputs_keeps_finished_folders(tmp_path):
    items = [BatchItem("/x/a.mp4", "a"), BatchItem("/x/b.mp4", "b")]
    for name in ("a", ".b.tmp-0123456789", ".a.tmp-abcdef0123", ".other.tmp-0123456789"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "events.csv").write_text("frame\n")
    (tmp_path / ".summary.csv.tmp-42").write_text("half")
    remove_partial_outputs(tmp_path, items)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.tmp-0123456789", "a"]  # not an item of this batch
    assert (tmp_path / "a" / "events.csv").is_file()


def test_interrupted_batch_cancels_queued_jobs_and_says_what_is_recorded(tmp_path, gait_csv):
    clips = [tmp_path / f"{name}.csv" for name in ("a", "b", "c")]
    for clip in clips:
        shutil.copy(gait_csv, clip)
    items = [BatchItem(str(clip), clip.stem, {"write_report": False}) for clip in clips]
    out = tmp_path / "out"

    def stop(done: int, total: int, row: dict) -> None:
        (out / ".c.tmp-0123456789").mkdir(exist_ok=True)  # as a job in flight leaves it
        raise KeyboardInterrupt

    with ThreadPoolExecutor(1) as executor, pytest.raises(KeyboardInterrupt):
        run_batch(items, out, executor, stop)
    assert list(pd.read_csv(out / SUMMARY_FILE)["name"]) == ["a"]
    err = interrupted(items, out)
    assert err.exit_code == 130
    assert f"1 of 3 clips finished and recorded in {out / SUMMARY_FILE}" in err.message
    assert "run the same command again to resume" in err.message
    assert not [p for p in out.iterdir() if ".tmp-" in p.name]
    assert not (out / "c").exists()  # the queued job was cancelled, never started
    assert [i.name for i in pending_items(items, out)[0]] == ["b", "c"]
    assert "before any of its 3 clips finished" in interrupted(items, tmp_path / "nothing").message


# --- 3. resume re-runs a clip whose file changed -------------------------------------------------


def _finished_batch(tmp_path, gait_csv) -> tuple[BatchItem, object]:
    """A clip ``run_a.csv`` and a batch into ``out/`` that finished it."""
    clip = tmp_path / "run_a.csv"
    shutil.copy(gait_csv, clip)
    item = BatchItem(str(clip), "run_a", {"write_report": False})
    out = tmp_path / "out"
    with ThreadPoolExecutor(1) as executor:
        assert run_batch([item], out, executor)[0]["status"] == "done"
    return item, out


def test_unchanged_file_is_skipped_and_a_changed_one_run_again(tmp_path, gait_csv):
    item, out = _finished_batch(tmp_path, gait_csv)
    clip = tmp_path / "run_a.csv"
    todo, kept = pending_items([item], out)
    assert todo == [] and kept["run_a"]["source_stamp"] == source_stamp(clip)
    stat = clip.stat()
    os.utime(clip, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # touched: same size, newer
    assert pending_items([item], out)[0] == [item]
    clip.write_text(clip.read_text() + "\n")  # other content, other size
    assert pending_items([item], out)[0] == [item]


def test_rows_without_a_stamp_count_as_unchanged_and_take_the_current_one(tmp_path, gait_csv):
    item, out = _finished_batch(tmp_path, gait_csv)
    summary = pd.read_csv(out / SUMMARY_FILE).drop(columns=["source_stamp"])  # a previous version's summary
    summary.to_csv(out / SUMMARY_FILE, index=False)
    todo, kept = pending_items([item], out)
    assert todo == [] and kept["run_a"]["source_stamp"] == source_stamp(tmp_path / "run_a.csv")


def test_input_that_is_not_a_local_file_keeps_the_old_rule(tmp_path, gait_csv):
    item, out = _finished_batch(tmp_path, gait_csv)
    (tmp_path / "run_a.csv").unlink()
    assert source_stamp(item.source) == "" and source_stamp(tmp_path) == ""
    assert pending_items([item], out)[0] == []  # recorded as done, its results still there: skipped


def test_replaced_clip_is_analysed_again(tmp_path, gait_csv):
    item, out = _finished_batch(tmp_path, gait_csv)
    clip = tmp_path / "run_a.csv"
    assert pd.read_csv(out / SUMMARY_FILE, dtype=str)["source_stamp"][0] == source_stamp(clip)
    first = (out / "run_a" / "analysis.json").stat().st_mtime_ns
    with ThreadPoolExecutor(1) as executor:
        run_batch([item], out, executor)
    assert (out / "run_a" / "analysis.json").stat().st_mtime_ns == first  # unchanged: skipped
    clip.write_text(clip.read_text() + "\n")  # replaced by another file of that name
    with ThreadPoolExecutor(1) as executor:
        rows = run_batch([item], out, executor)
    assert rows[0]["status"] == "done" and rows[0]["source_stamp"] == source_stamp(clip)
    assert (out / "run_a" / "analysis.json").stat().st_mtime_ns != first
