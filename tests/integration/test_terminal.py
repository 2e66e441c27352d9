"""Issue 15: no MediaPipe / TensorFlow Lite / absl log line reaches the terminal (they break the
progress bar), and ``--fast`` works offline (it used to download ``pose_landmark_lite.tflite`` and
crash). ``runform analyze`` runs as a real subprocess on a few seconds of the shared clip, with no
log-level variable preset in its environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

NATIVE_LOG_MARKERS = ("TensorFlow Lite", "absl", "XNNPACK", "inference_feedback_manager", "W0000", "I0000",
                      "gl_context", "WARNING: All log messages")  # fmt: skip


@pytest.mark.parametrize("options", [[], ["--fast"]], ids=["default", "fast"])
def test_analyze_prints_no_native_log_lines(clip, tmp_path, options):
    script = Path(sys.executable).with_name("runform")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "runform.cli"]
    env = {k: v for k, v in os.environ.items() if k not in ("GLOG_minloglevel", "TF_CPP_MIN_LOG_LEVEL")}
    proc = subprocess.run([*command, "analyze", str(clip), "--start", "0", "--end", "4", "--no-video", *options,
                           "-o", str(tmp_path / "out")], capture_output=True, text=True, env=env, timeout=300)  # fmt: skip
    terminal = proc.stdout + proc.stderr
    assert proc.returncode == 0, terminal
    assert "Knee lift" in proc.stdout and (tmp_path / "out" / "analysis.json").exists()  # pose really ran
    leaked = [line for line in terminal.splitlines() if any(marker in line for marker in NATIVE_LOG_MARKERS)]
    assert leaked == []
    assert "Traceback" not in terminal and "pose_landmark_lite" not in terminal  # --fast: the lite model is not fetched
    analysis = json.loads((tmp_path / "out" / "analysis.json").read_text())
    checks = {c["name"]: c for c in analysis["quality"]["checks"]}
    assert analysis["video"]["pose_frame_step"] == (2 if options else 1)
    assert ("--fast" in checks["frame_rate"]["message"]) == bool(options), checks["frame_rate"]  # said only when --fast ran
    if options:  # --fast: the frames the pose model skipped are neither occlusion nor lost people
        assert checks["occlusion"]["verdict"] == "pass" and checks["multiple_people"]["verdict"] == "pass", checks
