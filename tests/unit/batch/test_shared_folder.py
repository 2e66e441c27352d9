"""A batch output folder as coaches and clusters use it (a user review of session 14): several
manifests into one folder, clips of the same name from two phones, a second batch running at the
same time, summary cells read back as written, workers that do not share the paths."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from concurrent.futures import Executor, Future, ThreadPoolExecutor

import pandas as pd
import pytest

from runform.batch import executor as executor_module
from runform.batch import read_inputs, run_batch
from runform.batch.runner import LOCK_FILE, batch_lock
from runform.errors import InputError, OptionError, OutputError


def _manifest(folder, name: str, rows: list[tuple[str, str]]):  # noqa: ANN001, ANN202
    path = folder / name
    path.write_text("path,athlete,height_m\n" + "".join(f"{p},{a},1.7\n" for p, a in rows))
    return path


def _run(manifest, out):  # noqa: ANN001, ANN202
    with ThreadPoolExecutor(1) as pool:
        return run_batch(read_inputs(manifest, {"write_report": False}), out, pool)


def test_a_second_manifest_keeps_the_first_ones_clips_in_the_summary(tmp_path, gait_csv):
    shutil.copy(gait_csv, tmp_path / "ann.csv")
    shutil.copy(gait_csv, tmp_path / "bea.csv")
    out = tmp_path / "out"
    _run(_manifest(tmp_path, "monday.csv", [("ann.csv", "0042")]), out)
    _run(_manifest(tmp_path, "late.csv", [("bea.csv", "NA")]), out)
    summary = pd.read_csv(out / "summary.csv", dtype=str, keep_default_na=False)
    assert list(summary["name"]) == ["bea", "ann"] and list(summary["athlete"]) == ["NA", "0042"]
    assert summary["n_frames"].str.fullmatch(r"\d+").all()  # counts stay whole numbers
    _run(_manifest(tmp_path, "late.csv", [("bea.csv", "NA")]), out)  # resumed: cells kept as written
    again = pd.read_csv(out / "summary.csv", dtype=str, keep_default_na=False)
    assert list(again["athlete"]) == ["NA", "0042"] and list(again["n_frames"]) == list(summary["n_frames"])


def test_a_clip_of_the_same_name_from_another_phone_never_takes_over_a_folder(tmp_path, gait_csv):
    for club in ("clubA", "clubB"):
        (tmp_path / club).mkdir()
        shutil.copy(gait_csv, tmp_path / club / "IMG_0001.csv")
    out = tmp_path / "out"
    _run(_manifest(tmp_path, "m1.csv", [("clubA/IMG_0001.csv", "Ann")]), out)
    first = (out / "IMG_0001" / "analysis.json").read_bytes()
    rows = _run(_manifest(tmp_path, "m2.csv", [("clubB/IMG_0001.csv", "Bea"), ("clubA/IMG_0001.csv", "Ann")]), out)
    assert (out / "IMG_0001" / "analysis.json").read_bytes() == first  # Ann's results stay Ann's
    assert rows[1]["name"] == "IMG_0001" and rows[0]["name"].startswith("IMG_0001_")
    assert [r["athlete"] for r in rows] == ["Bea", "Ann"] and all(r["status"] == "done" for r in rows)


def test_a_second_batch_into_a_busy_folder_is_refused(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with batch_lock(out), pytest.raises(OutputError, match="Another runform batch is writing"), batch_lock(out):
        pass
    assert not (out / LOCK_FILE).exists()
    (out / LOCK_FILE).write_text(f"999999999@{socket.gethostname()}")  # a batch that died: taken over
    with batch_lock(out):
        assert (out / LOCK_FILE).read_text().startswith(f"{os.getpid()}@")


class _RemoteLike(Executor):
    """Runs nothing; answers each job as a worker that cannot see this machine's paths would."""

    def __init__(self, row: dict) -> None:
        self.row = row

    def submit(self, fn, source, out_dir, options):  # noqa: ANN001, ANN201, ARG002
        future: Future = Future()
        future.set_result({**self.row, "path": source, "out_dir": out_dir})
        return future


def test_results_the_worker_wrote_out_of_sight_are_a_failure_that_names_the_shared_path(tmp_path, gait_csv):
    manifest = _manifest(tmp_path, "m.csv", [(str(gait_csv), "Ann")])
    items = read_inputs(manifest, {"write_report": False})
    done = {"status": "done", "reason": ""}
    (row,) = run_batch(items, tmp_path / "out", _RemoteLike(done))
    assert row["status"] == "failed" and "cannot see them" in row["reason"] and "every worker shares" in row["reason"]
    lost = {"status": "failed", "reason": "InputError: Input file not found"}
    (row,) = run_batch(items, tmp_path / "out2", _RemoteLike(lost))
    assert "this machine has the file, the worker does not" in row["reason"]


def test_folder_inputs_skip_hidden_files_and_a_non_utf8_manifest_is_named(tmp_path):
    folder = tmp_path / "card"
    folder.mkdir()
    (folder / "._IMG_0001.MOV").write_bytes(b"\0" * 4096)  # macOS AppleDouble sidecar
    (folder / "IMG_0001.MOV").write_bytes(b"\0" * 16)
    assert [i.name for i in read_inputs(folder)] == ["IMG_0001"]
    latin = tmp_path / "excel.csv"
    latin.write_bytes("path,athlete\nAnna M\xfcller.mp4,Jos\xe9\n".encode("cp1252"))
    with pytest.raises(InputError, match="not UTF-8") as info:
        read_inputs(latin)
    assert "CSV UTF-8" in info.value.fix


def test_a_server_that_is_not_a_dask_scheduler_is_a_clear_error_not_a_hang(monkeypatch):
    """Something listens at the address but never speaks Dask (a dashboard port, a web server)."""
    monkeypatch.setattr(executor_module, "CONNECT_TIMEOUT_S", 2)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(server.accept()[0]), daemon=True).start()
    start = time.monotonic()
    with pytest.raises(OptionError, match="Cannot connect to the Dask scheduler"), \
            executor_module.make_executor(scheduler=f"tcp://127.0.0.1:{server.getsockname()[1]}"):  # fmt: skip
        pass
    assert time.monotonic() - start < 15
    server.close()
