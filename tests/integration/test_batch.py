"""``runform batch`` end to end on Dask: 2 short real clips and a broken file, on a LocalCluster
and on a cluster of a scheduler and 2 worker processes started here on loopback; identical
per-clip results, a summary row for the broken file, and a worker killed mid-batch losing nothing."""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import decode_rgb, encode_rgb
from typer.testing import CliRunner

from runform.batch import make_executor, read_inputs, run_batch
from runform.cli import app

pytestmark = [pytest.mark.video, pytest.mark.slow]
#: Frames per test clip (5 s at 30 fps: enough strides for the quality gate, short enough to be quick).
CLIP_FRAMES = 150
OPTIONS = {"height_m": 1.75, "write_video": False}
DASK = Path(sys.executable).with_name("dask")


def _trim(src: Path, dst: Path, first: int, mirror: bool = False) -> Path:
    """``CLIP_FRAMES`` frames of ``src`` from frame ``first`` (optionally mirrored), as H.264."""
    frames = itertools.islice(decode_rgb(src), first, first + CLIP_FRAMES)
    return encode_rgb((img[:, ::-1] if mirror else img for img in frames), dst, fps=30)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, clip) -> Path:
    folder = tmp_path_factory.mktemp("batch_in")
    _trim(clip, folder / "ann.mp4", 0)
    _trim(clip, folder / "bob.mp4", 150, mirror=True)
    (folder / "broken.mp4").write_bytes(b"\x00\x00\x00 not a video" * 64)
    return folder


@pytest.fixture(scope="module")
def local_run(inputs, tmp_path_factory):
    """The batch on a LocalCluster of 2 worker processes (reports on, videos off)."""
    out = tmp_path_factory.mktemp("local") / "out"
    with make_executor(workers=2) as executor:
        rows = run_batch(read_inputs(inputs, OPTIONS), out, executor)
    return out, rows


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A Dask scheduler and 2 single-thread worker processes (no nanny) on loopback; yields its address."""
    from distributed import Client

    logs = tmp_path_factory.mktemp("dask_logs")
    address = f"tcp://127.0.0.1:{_free_port()}"
    port = address.rsplit(":", 1)[1]
    procs = [subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"],
                              stdout=subprocess.DEVNULL, stderr=(logs / "scheduler.log").open("w"))]  # fmt: skip
    for k in range(2):
        procs.append(subprocess.Popen(
            [str(DASK), "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard", "--host", "127.0.0.1",
             "--name", f"w{k}"], stdout=subprocess.DEVNULL, stderr=(logs / f"worker{k}.log").open("w"),
        ))  # fmt: skip
    try:
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for proc in procs[::-1]:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def _clip_results(out: Path, name: str) -> dict[str, pd.DataFrame]:
    return {f: pd.read_csv(out / name / f) for f in ("events.csv", "strides.csv", "keypoints.csv")}


def _assert_same_clips(out_a: Path, out_b: Path) -> None:
    for name in ("ann", "bob"):
        a, b = _clip_results(out_a, name), _clip_results(out_b, name)
        for file in a:
            pd.testing.assert_frame_equal(a[file], b[file], obj=f"{name}/{file}")
    metrics = [c for c in pd.read_csv(out_a / "summary.csv").columns if c.endswith("_uncertainty")]
    metrics += [c.removesuffix("_uncertainty") for c in metrics]
    sa, sb = (pd.read_csv(o / "summary.csv").set_index("name") for o in (out_a, out_b))
    pd.testing.assert_frame_equal(sa[metrics + ["status", "n_frames", "n_strides"]], sb[metrics + ["status", "n_frames", "n_strides"]])


def test_local_batch_writes_every_clip_and_a_row_for_the_broken_file(local_run):
    out, rows = local_run
    assert {r["name"]: r["status"] for r in rows} == {"ann": "done", "bob": "done", "broken": "failed"}
    broken = next(r for r in rows if r["name"] == "broken")
    assert "broken.mp4 is not a video file" in broken["reason"] and "What to do" in broken["reason"]
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary["name"]) == ["ann", "bob", "broken"]
    for name in ("ann", "bob"):
        row = summary.set_index("name").loc[name]
        assert 160 < row["cadence_steps_per_min"] < 178  # the clip's true cadence is 168.9 steps/min
        assert row["cadence_steps_per_min_uncertainty"] > 0 and row["stride_length_m"] > 0
        assert {p.name for p in (out / name).iterdir()} >= {"analysis.json", "events.csv", "strides.csv", "report.html"}
    index = (out / "index.html").read_text()
    assert 'href="ann/report.html"' in index and 'href="bob/report.html"' in index and "broken" in index
    assert not [p for p in out.iterdir() if ".tmp-" in p.name]


def test_cluster_batch_gives_identical_results(local_run, inputs, cluster, tmp_path):
    out = tmp_path / "out"
    with make_executor(scheduler=cluster) as executor:
        rows = run_batch(read_inputs(inputs, OPTIONS), out, executor)
    assert [r["status"] for r in rows] == ["done", "done", "failed"]
    _assert_same_clips(local_run[0], out)


def test_killed_worker_then_rerun_loses_nothing(local_run, inputs, cluster, tmp_path, monkeypatch):
    """SIGKILL the worker running a clip; the scheduler moves the job or the re-run finishes it."""
    from distributed import Client

    out = tmp_path / "out"
    first: list = []
    thread = threading.Thread(target=lambda: first.extend(_run_on(cluster, inputs, out)))
    with Client(cluster, timeout=30) as client:
        thread.start()
        victim = _busy_worker_pid(client)
        os.kill(victim, signal.SIGKILL)
        thread.join(timeout=600)
    assert not thread.is_alive()
    assert len(first) == 3  # every input has a row even though a worker died
    monkeypatch.setenv("RUNFORM_DASK_SCHEDULER", cluster)
    result = CliRunner().invoke(app, ["batch", str(inputs), "-o", str(out), "--height", "1.75", "--no-video"])
    assert result.exit_code == 1, result.output  # the broken file still fails
    assert "1 of 3 clips failed" in result.output
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary["status"]) == ["done", "done", "failed"]
    _assert_same_clips(local_run[0], out)


def _run_on(address: str, inputs: Path, out: Path) -> list:
    with make_executor(scheduler=address) as executor:
        return run_batch(read_inputs(inputs, OPTIONS), out, executor)


def _busy_worker_pid(client, timeout_s: float = 120) -> int:  # noqa: ANN001
    """pid of a worker that has been running a job for a second (mid-clip)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        busy = [addr for addr, keys in client.processing().items() if keys]
        if busy:
            time.sleep(1.0)
            return client.run(os.getpid, workers=busy[:1])[busy[0]]
        time.sleep(0.1)
    raise AssertionError("no worker started a job")


def _environ(key: str) -> str | None:
    """A variable of the environment of the process this runs in (``os.environ.get`` itself would be
    pickled with the caller's ``os.environ``: the caller's value)."""
    import os

    return os.environ.get(key)


def _opencv_threads() -> int:
    import cv2

    return cv2.getNumThreads()


def test_local_workers_run_without_the_nannys_malloc_trim_setting():
    """Dask's nanny gives each worker MALLOC_TRIM_THRESHOLD_=65536, which makes glibc mmap every
    decoded frame (+4 CPU-s of system time per 12 s clip, benchmarks/speed.py): the local cluster's
    workers run without it and without the statistical profiler."""
    import os

    import dask

    before = {key: os.environ.get(key) for key in ("OMP_NUM_THREADS", "OPENCV_FOR_THREADS_NUM", "MALLOC_TRIM_THRESHOLD_")}
    with make_executor(workers=1) as executor:
        assert {key: os.environ.get(key) for key in before} == before  # the nanny's settings are the workers' only
        trim = executor.submit(_environ, "MALLOC_TRIM_THRESHOLD_").result()
        profiling = executor.submit(dask.config.get, "distributed.worker.profile.enabled").result()
        threads = executor.submit(_environ, "OMP_NUM_THREADS").result()
        opencv_threads = executor.submit(_opencv_threads).result()
    assert trim is None and profiling is False
    assert threads == "1"  # the nanny's other settings are kept
    assert opencv_threads == 1  # one core per worker: no OpenCV pool spinning beside the other worker
    assert {key: os.environ.get(key) for key in before} == before
    if before["OPENCV_FOR_THREADS_NUM"] is None:  # where OpenCV would use more than one thread, the setting made it one
        fresh = subprocess.run([sys.executable, "-c", "import cv2; print(cv2.getNumberOfCPUs(), cv2.getNumThreads())"],
                               capture_output=True, text=True, check=True)  # fmt: skip
        cpus, threads_by_default = map(int, fresh.stdout.split())
        assert cpus == 1 or threads_by_default > 1


def test_ctrl_c_leaves_no_temporary_folder_and_a_rerun_resumes(clip, tmp_path):
    """A real Ctrl-C (SIGINT to the process group, as a terminal sends it) while the second clip is
    being written: exit 130, the first clip kept and recorded, nothing half-written, the message
    says what is recorded; the same command again finishes the rest."""
    clips = tmp_path / "clips"
    clips.mkdir()
    for name in ("a", "b"):
        shutil.copyfile(clip, clips / f"{name}.mp4")
    out = tmp_path / "sess"
    cmd = [sys.executable, "-m", "runform.cli", "batch", str(clips), "-o", str(out), "--workers", "1", "--no-video"]
    env = {**os.environ, "COLUMNS": "400"}  # one line per message
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)  # fmt: skip
    try:
        assert _wait_for(lambda: len(pd.read_csv(out / "summary.csv")) >= 1, 300), "the first clip never finished"
        _wait_for(lambda: any(".tmp-" in p.name for p in out.iterdir()), 120)  # the second clip's output
        os.killpg(proc.pid, signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, stdout + stderr
    message = " ".join(stderr.split())
    assert f"Batch interrupted: 1 of 2 clips finished and recorded in {out / 'summary.csv'}" in message, message
    assert "run the same command again to resume" in message and "no output was written" not in message
    assert not [p for p in out.rglob("*") if ".tmp-" in p.name]
    assert list(pd.read_csv(out / "summary.csv")["name"]) == ["a"] and (out / "a" / "analysis.json").is_file()
    rerun = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "1 clips were already finished" in rerun.stdout
    assert list(pd.read_csv(out / "summary.csv")["status"]) == ["done", "done"]


def _wait_for(condition, timeout_s: float) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except (OSError, ValueError, pd.errors.EmptyDataError):
            pass
        time.sleep(0.05)
    return False
