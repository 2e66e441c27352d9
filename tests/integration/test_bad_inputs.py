"""A table of bad inputs: each gives a clear message, its documented exit code and no output."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pandas as pd
import pytest
from conftest import DATA, WALKING, need
from typer.testing import CliRunner

from runform.cli import app

RBDS = DATA / "rbds"
runner = CliRunner()


# --- builders: each returns the input path ------------------------------------------------------
def text_as_mp4(d: Path) -> Path:
    (d / "notes.mp4").write_text("not a video")
    return d / "notes.mp4"


def empty_file(d: Path) -> Path:
    (d / "empty.mp4").touch()
    return d / "empty.mp4"


def truncated(d: Path) -> Path:
    data = need(Path(__file__).resolve().parents[2] / "runform" / "data" / "treadmill_side_30fps.mp4").read_bytes()
    (d / "truncated.mp4").write_bytes(data[:4000])
    return d / "truncated.mp4"


def video(d: Path, name: str, n_frames: int, size=(64, 64), codec="libx264") -> Path:
    path = d / name
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=30)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        for i in range(n_frames):
            img = np.full((size[1], size[0], 3), (i * 20) % 255, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def still_picture(d: Path, n_frames: int = 45) -> Path:
    """One textured picture in every frame (a photo saved as a video, a frozen export)."""
    picture = np.random.default_rng(0).integers(0, 255, (128, 96, 3), dtype=np.uint8)
    with av.open(str(d / "still.mp4"), "w") as out:
        stream = out.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 96, 128, "yuv420p"
        for _ in range(n_frames):
            for packet in stream.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return d / "still.mp4"


def audio_only(d: Path, with_empty_video: bool = False) -> Path:
    """An AAC track; with ``with_empty_video`` also a video track that holds no frame."""
    path = d / ("zero.mp4" if with_empty_video else "audio.mp4")
    with av.open(str(path), "w") as out:
        if with_empty_video:
            video_stream = out.add_stream("libx264", rate=30)
            video_stream.width, video_stream.height, video_stream.pix_fmt = 64, 64, "yuv420p"
        stream = out.add_stream("aac", rate=44100)
        for i in range(20):
            frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), dtype=np.float32), format="fltp", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = 44100, i * 1024, Fraction(1, 44100)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def csv_table(d: Path, name: str, table: pd.DataFrame) -> Path:
    table.to_csv(d / name, index=False)
    return d / name


def good_columns(n: int = 60, value: float = 100.0) -> pd.DataFrame:
    cols = {"time_s": np.arange(n) / 30}
    for side in ("left", "right"):
        for part in ("hip", "knee", "ankle", "heel", "foot_index"):
            cols[f"{side}_{part}_x"] = np.full(n, value)
            cols[f"{side}_{part}_y"] = np.full(n, value + {"hip": 0, "knee": 50, "ankle": 100, "heel": 110, "foot_index": 110}[part])
    return pd.DataFrame(cols)


def nan_only(d: Path) -> Path:
    table = good_columns()
    table.loc[:, table.columns != "time_s"] = np.nan
    return csv_table(d, "nan.csv", table)


def decreasing_time(d: Path) -> Path:
    table = good_columns()
    table["time_s"] = table["time_s"][::-1].to_numpy()
    return csv_table(d, "backwards.csv", table)


def non_numeric(d: Path) -> Path:
    table = good_columns().astype(object)
    table.loc[3, "left_knee_x"] = "knee"
    return csv_table(d, "words.csv", table)


def joints_in_ms(d: Path, n: int = 300) -> Path:
    """A joint-centre CSV (motion capture) whose time_s holds milliseconds: 150 Hz read as 0.15 Hz."""
    cols = {"time_s": np.arange(n) * 6.667}
    for side in ("left", "right"):
        for k, part in enumerate(("hip", "knee", "ankle", "heel", "toe")):
            cols.update({f"{side}_{part}_x_mm": np.full(n, 1000.0), f"{side}_{part}_y_mm": np.full(n, 900.0 - 200 * k),
                         f"{side}_{part}_z_mm": np.full(n, 100.0)})  # fmt: skip
    return csv_table(d, "joints_ms.csv", pd.DataFrame(cols))


def rbds_trial_alone(d: Path) -> Path:
    """An RBDS running trial copied without its subject's static trial (knee and ankle need it)."""
    trial = need(RBDS / "RBDS001runT35markers.txt")
    (d / trial.name).write_bytes(trial.read_bytes())
    return d / trial.name


def dlc_csv(d: Path) -> Path:
    """DeepLabCut's CSV: three header rows (scorer, bodyparts, coords), frame numbers, no time."""
    parts = ("left_hip", "left_knee")
    rows = ["scorer," + ",".join(["DLC_resnet50"] * 3 * len(parts)), "bodyparts," + ",".join(p for p in parts for _ in range(3)),
            "coords," + ",".join(["x", "y", "likelihood"] * len(parts))] + [f"{i}," + ",".join(["100", "200", "0.9"] * len(parts)) for i in range(5)]  # fmt: skip
    (d / "dlc.csv").write_text("\n".join(rows) + "\n")
    return d / "dlc.csv"


def binary_csv(d: Path) -> Path:
    (d / "binary.csv").write_bytes(bytes(range(256)) * 20)
    return d / "binary.csv"


CASES = [
    # id, builder -> args, exit code, message fragment
    ("missing-file", lambda d: ["analyze", str(d / "nope.mp4")], 2, "not found"),
    ("directory", lambda d: ["analyze", str(d)], 2, "is a directory"),
    ("empty-file", lambda d: ["analyze", str(empty_file(d))], 2, "empty (0 bytes)"),
    ("text-named-mp4", lambda d: ["analyze", str(text_as_mp4(d))], 2, "notes.mp4 is not a video file"),
    ("truncated-video", lambda d: ["analyze", str(truncated(d))], 2, "truncated.mp4"),
    ("zero-frames", lambda d: ["analyze", str(audio_only(d, with_empty_video=True))], 2, "zero.mp4 has no video stream"),
    ("audio-only", lambda d: ["analyze", str(audio_only(d))], 2, "no video stream. Expected: a file with a video track. Found: audio or data streams only"),
    ("start-after-the-clip", lambda d: ["analyze", str(video(d, "short.mp4", 40)), "--start", "30"], 3, "--start 30 s is not within the clip"),
    ("huge-resolution", lambda d: ["analyze", str(video(d, "huge.mp4", 1, size=(8192, 4352)))], 2, "too large"),
    ("one-frame-video", lambda d: ["analyze", str(video(d, "one.mp4", 1))], 5, "Too few frames"),
    ("blank-video", lambda d: ["analyze", str(video(d, "blank.mp4", 40))], 5, "No runner"),
    ("still-picture", lambda d: ["analyze", str(still_picture(d))], 2, "shows only 1 different picture in 45 frames"),
    ("unknown-suffix", lambda d: ["analyze", str(text_as_mp4(d).rename(d / "notes.xyz"))], 2, "Unsupported input type"),
    ("csv-wrong-columns", lambda d: ["analyze", str(csv_table(d, "c.csv", pd.DataFrame({"time_s": [0, 1], "nose_x": [1, 2]})))], 4, "lacks landmarks"),
    ("csv-no-time", lambda d: ["analyze", str(csv_table(d, "t.csv", good_columns().drop(columns="time_s")))], 4, "no time_s column"),
    ("csv-nan-only", lambda d: ["analyze", str(nan_only(d))], 4, "no usable coordinates"),
    ("csv-decreasing-time", lambda d: ["analyze", str(decreasing_time(d))], 4, "strictly increasing"),
    ("csv-non-numeric", lambda d: ["analyze", str(non_numeric(d))], 4, "non-numeric"),
    ("csv-binary", lambda d: ["analyze", str(binary_csv(d))], 4, "Cannot read binary.csv"),
    ("csv-too-short", lambda d: ["analyze", str(csv_table(d, "s.csv", good_columns(5)))], 5, "Too few frames"),
    ("csv-standing-still", lambda d: ["analyze", str(csv_table(d, "still.csv", good_columns(120)))], 5, "Cannot tell which way"),
    ("empty-csv", lambda d: ["analyze", str((d / "e.csv", (d / "e.csv").touch())[0])], 2, "empty (0 bytes)"),
    ("unknown-event", lambda d: ["analyze", str(text_as_mp4(d)), "--event", "ultra"], 3, "unknown event 'ultra'"),
    ("negative-height", lambda d: ["analyze", str(text_as_mp4(d)), "--height", "-1.78"], 3, "--height"),
    ("height-in-cm", lambda d: ["analyze", str(text_as_mp4(d)), "--height", "178"], 3, "give metres"),
    ("absurd-treadmill-speed", lambda d: ["analyze", str(text_as_mp4(d)), "--treadmill-speed", "90"], 3, "outside 0.5-12.5 m/s"),
    ("treadmill-speed-unit", lambda d: ["analyze", str(text_as_mp4(d)), "--treadmill-speed", "3furlongs"], 3, "Cannot read the treadmill speed"),
    ("known-distance-malformed", lambda d: ["analyze", str(text_as_mp4(d)), "--known-distance", "1,2,3"], 3, "x1,y1,x2,y2,distance"),
    ("real-fps-negative", lambda d: ["analyze", str(text_as_mp4(d)), "--real-fps", "-240"], 3, "--real-fps must be more than 0"),
    ("surface-unknown", lambda d: ["analyze", str(text_as_mp4(d)), "--surface", "ice"], 3, "surface"),
    ("real-fps-zero", lambda d: ["analyze", str(text_as_mp4(d)), "--real-fps", "0"], 3, "--real-fps must be more than 0"),
    ("weeks-zero", lambda d: ["analyze", str(text_as_mp4(d)), "--weeks", "0"], 3, "--weeks must be at least 1; got 0"),
    ("slow-motion-too-high", lambda d: ["analyze", str(text_as_mp4(d)), "--slow-motion", "20"], 3, "--slow-motion must be at most 8"),
    ("csv-header-only", lambda d: ["analyze", str(csv_table(d, "h.csv", good_columns(0)))], 4, "no usable coordinates"),
    ("csv-landmark-empty", lambda d: ["analyze", str(csv_table(d, "noheel.csv", good_columns().assign(left_heel_x=np.nan, left_heel_y=np.nan)))], 4, "no value in any row for left_heel"),
    ("csv-time-in-frames", lambda d: ["analyze", str(csv_table(d, "frames.csv", good_columns().assign(time_s=np.arange(60.0))))], 4, "divide them by the frame rate"),
    ("csv-deeplabcut", lambda d: ["analyze", str(dlc_csv(d))], 4, "is a DeepLabCut CSV"),
    ("csv-duplicate-time", lambda d: ["analyze", str(csv_table(d, "dup.csv", good_columns().assign(time_s=np.r_[np.arange(31), 30, np.arange(32, 60)] / 30)))], 4, "frame 31 (data row 32): time 1 s after 1 s"),
    ("mocap-time-in-ms", lambda d: ["analyze", str(joints_in_ms(d))], 4, "0.15 Hz is too slow to analyse"),
    ("rbds-trial-without-static", lambda d: ["analyze", str(rbds_trial_alone(d))], 4, "the knee and ankle need the subject's static trial"),
    ("compare-missing-file", lambda d: ["compare", str(d / "a.json"), str(d / "b.json")], 2, "File not found"),
    ("compare-not-json", lambda d: ["compare", str(text_as_mp4(d)), str(text_as_mp4(d))], 2, "is not a runform analysis.json"),
]


@pytest.mark.parametrize(("make_args", "code", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input(tmp_path, make_args, code, message):
    args = make_args(tmp_path)
    before = set(tmp_path.rglob("*"))
    result = runner.invoke(app, args)
    text = " ".join(result.output.split())
    assert result.exit_code == code, text
    assert message in text
    assert "Expected" in text and "Found" in text and "What to do" in text, text  # the three parts of every error
    created = set(tmp_path.rglob("*")) - before  # rglob lists hidden names too (.old-*, .runform-probe-*)
    assert not created, sorted(created)  # nothing written: no output folder, report, temporary or probe file


def test_walking_clip_is_refused_with_exit_6(tmp_path):
    result = runner.invoke(app, ["analyze", str(need(WALKING)), "-o", str(tmp_path / "out")])
    assert result.exit_code == 6
    assert "not running (walking)" in " ".join(result.output.split())
    assert not (tmp_path / "out" / "analysis.json").exists()  # only the REFUSED diagnostic (test_person.py)


@pytest.fixture(scope="module")
def kp_csv(raw_keypoints_csv):
    return raw_keypoints_csv


def test_a_wrong_real_fps_is_named_when_no_stride_is_found(tmp_path, gait_csv):
    # the 60 fps synthetic runner told it was filmed at 600 fps: 1700 steps/min, no stride is found
    result = runner.invoke(app, ["analyze", str(gait_csv), "--real-fps", "600", "--no-report", "-o", str(tmp_path / "out")])
    text = " ".join(result.output.split())
    assert result.exit_code == 6, text
    assert "no complete gait cycle" in text and "check --real-fps: it rescaled the clip's time" in text


def test_unicode_and_spaces_in_paths(tmp_path, kp_csv):
    src = tmp_path / "läufer clip ü" / "séance 1.csv"
    src.parent.mkdir()
    src.write_bytes(kp_csv.read_bytes())
    out = tmp_path / "résultats dossier"
    result = runner.invoke(app, ["analyze", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "analysis.json").exists()


def test_output_path_is_an_existing_file(tmp_path, kp_csv):
    target = tmp_path / "taken"
    target.write_text("x")
    result = runner.invoke(app, ["analyze", str(kp_csv), "-o", str(target)])
    assert result.exit_code == 7
    assert "Cannot write the output folder" in " ".join(result.output.split())
    assert target.read_text() == "x"


def test_output_folder_under_a_file_is_refused(tmp_path, kp_csv):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(app, ["analyze", str(kp_csv), "-o", str(blocker / "out")])
    assert result.exit_code == 7
    assert "Cannot write the output folder" in " ".join(result.output.split())


@pytest.mark.parametrize("case", ["under-a-file", "unwritable-parent", "foreign-folder"])
def test_a_bad_output_folder_fails_before_the_analysis(tmp_path, kp_csv, monkeypatch, case):
    import runform.pipeline as pipeline

    def analysis_started(*_a, **_k):
        raise AssertionError("the analysis ran before the output folder was checked")

    monkeypatch.setattr(pipeline, "_analyze_staged", analysis_started)
    (tmp_path / "file").write_text("x")
    out = {"under-a-file": tmp_path / "file" / "out", "unwritable-parent": tmp_path / "new" / "out",
           "foreign-folder": tmp_path}[case]  # fmt: skip
    if case == "unwritable-parent":  # root may write anywhere: let the check meet a folder it cannot write
        mkdir = Path.mkdir

        def refused(self, *args, **kwargs):  # noqa: ANN001, ANN202
            if self.parent == tmp_path:
                raise PermissionError(errno.EACCES, "Permission denied", str(self))
            return mkdir(self, *args, **kwargs)

        monkeypatch.setattr(Path, "mkdir", refused)
    before = set(tmp_path.rglob("*"))
    result = runner.invoke(app, ["analyze", str(kp_csv), "-o", str(out)])
    text = " ".join(result.output.split())
    assert result.exit_code == 7, text
    assert "Cannot write the output folder" in text
    assert {"under-a-file": "is a file", "unwritable-parent": "permission denied", "foreign-folder": "other files"}[case] in text
    assert set(tmp_path.rglob("*")) == before


@pytest.mark.parametrize(("err", "reason"), [(errno.ENOSPC, "the disk is full"), (errno.EACCES, "permission denied")],
                         ids=["disk-full", "unwritable-output-dir"])  # fmt: skip
def test_write_failures_leave_nothing(tmp_path, kp_csv, monkeypatch, err, reason):
    import runform.io.export as export

    def fail(*_a, **_k):
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr(export, "to_csv", fail)  # fails after analysis.json was written to the temp folder
    out = tmp_path / "out"
    result = runner.invoke(app, ["analyze", str(kp_csv), "-o", str(out)])
    assert result.exit_code == 7
    assert reason in " ".join(result.output.split())
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]


def test_keyboard_interrupt_mid_run(tmp_path, kp_csv, monkeypatch):
    import runform.pipeline as pipeline

    def interrupted(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "StrideMetrics", interrupted)
    out = tmp_path / "out"
    result = runner.invoke(app, ["analyze", str(kp_csv), "-o", str(out)])
    assert result.exit_code == 130
    assert "Cancelled" in result.output
    assert not out.exists()


def test_real_ctrl_c_on_a_video_run(tmp_path, clip):
    out = tmp_path / "out"
    # a shell's background job ignores SIGINT and its children inherit that: give the run a normal Ctrl-C
    proc = subprocess.Popen([sys.executable, "-m", "runform.cli", "analyze", str(clip), "-o", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # fmt: skip
    time.sleep(4)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr.decode()[-500:]
    assert not out.exists()


def test_sigterm_on_a_video_run_stops_the_pose_worker(tmp_path, clip):
    """``kill`` / ``timeout`` / ``docker stop`` send SIGTERM: the run unwinds like Ctrl-C (exit 130,
    "Cancelled"), stopping its second pose process and removing its temporary folder (both were
    left behind: the worker kept using CPU)."""
    out, tmp = tmp_path / "out", tmp_path / "tmp"
    tmp.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "runform.cli", "analyze", str(clip), "-o", str(out), "--pose-workers", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "TMPDIR": str(tmp)})  # fmt: skip
    deadline = time.monotonic() + 60
    while not list(tmp.glob("runform-pose-*")) and time.monotonic() < deadline:  # the worker has started
        time.sleep(0.2)
    assert list(tmp.glob("runform-pose-*")), "the second pose process never started"
    time.sleep(1)
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr.decode()[-500:]
    assert "termination signal" in " ".join((stdout + stderr).decode().split())
    assert not out.exists() and not list(tmp.glob("runform-pose-*"))
    time.sleep(0.5)
    workers = [p for p in Path("/proc").glob("[0-9]*") if "runform.pose.segment_worker" in _cmdline(p) and str(tmp) in _cmdline(p)]
    assert not workers, [_cmdline(p) for p in workers]


def _cmdline(proc_dir: Path) -> str:
    try:
        return (proc_dir / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:  # the process ended meanwhile
        return ""


def test_a_real_fps_above_the_capture_rate_is_refused_as_sped_up(tmp_path, gait_csv):
    """The 60 fps synthetic runner told it was filmed at 150 fps: strides at about 2.5x a runner's
    cadence, faster than any sprinter. Refused, naming --real-fps; it used to be analysed as every
    second stride (cadence 155 steps/min, contact time 0.41 s: plausible-looking nonsense)."""
    result = runner.invoke(app, ["analyze", str(gait_csv), "--real-fps", "150", "--no-report", "-o", str(tmp_path / "out")])
    text = " ".join(result.output.split())
    assert result.exit_code == 5, text
    assert "time looks sped up" in text and "426 steps/min" in text and "check --real-fps" in text
    assert not (tmp_path / "out" / "analysis.json").exists()
