"""``runform batch`` command: a LocalCluster run of a manifest (keypoint CSVs: no pose model), the
exit code when a clip fails, resuming, and clear option errors."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from runform.cli import app

runner = CliRunner()


def test_batch_command_runs_resumes_and_reports_failures(tmp_path, gait_csv):
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"path,athlete\n{gait_csv},Ann\nmissing.csv,Bob\n")
    out = tmp_path / "out"
    args = ["batch", str(manifest), "-o", str(out), "--height", "1.7", "--workers", "1", "--no-report"]
    first = runner.invoke(app, args)
    assert first.exit_code == 1, first.output
    assert "1 of 2 clips failed" in first.output and "summary.csv" in first.output
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary["status"]) == ["done", "failed"] and list(summary["athlete"]) == ["Ann", "Bob"]
    assert (out / "synthetic_runner" / "analysis.json").is_file() and (out / "index.html").is_file()
    second = runner.invoke(app, args)
    assert "1 clips were already finished" in second.output


def test_bad_workers_and_unreachable_scheduler_are_option_errors(tmp_path, gait_csv):
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"path\n{gait_csv}\n")
    bad = runner.invoke(app, ["batch", str(manifest), "-o", str(tmp_path / "o"), "--workers", "0"])
    assert bad.exit_code == 3 and "--workers 1 or more" in bad.output.replace("\n", " ")
    result = runner.invoke(app, ["batch", str(manifest), "-o", str(tmp_path / "o"), "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 3, result.output
    assert "Cannot connect to the Dask scheduler" in result.output.replace("\n", " ")
