"""Issue 15: progress is shown while the report and the video are written, not only during pose
(``pipeline.StageProgress``; the CLI draws one bar per stage)."""

from __future__ import annotations

import importlib
import io

from rich.console import Console
from typer.testing import CliRunner

from runform.cli import app
from runform.pipeline import run

analyze_command = importlib.import_module("runform.cli.analyze")  # the package re-exports the command function


def test_run_reports_pose_then_the_report(gait_csv, tmp_path):
    calls: list[tuple[int, int, str]] = []
    run(gait_csv, out_dir=tmp_path / "o", progress=lambda done, total, stage: calls.append((done, total, stage)))
    stages = [stage for *_, stage in calls]
    assert stages[0] == "pose" and "report" in stages and stages.index("report") > stages.index("pose")
    assert [c[:2] for c in calls if c[2] == "report"] == [(0, 1), (1, 1)]
    assert "video" not in stages  # a keypoint file has no video to annotate


def test_a_two_argument_callback_still_hears_about_pose(gait_csv, tmp_path):
    calls: list[tuple[int, int]] = []
    run(gait_csv, out_dir=tmp_path / "o", progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1][0] == calls[-1][1]


def test_the_cli_shows_a_bar_for_the_report(gait_csv, tmp_path, monkeypatch):
    screen = io.StringIO()
    monkeypatch.setattr(analyze_command, "console", Console(file=screen, force_terminal=True, width=120))
    result = CliRunner().invoke(app, ["analyze", str(gait_csv), "--no-video", "-o", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    shown = screen.getvalue()
    assert f"Analysing {gait_csv.name}" in shown and "Writing report.html" in shown
