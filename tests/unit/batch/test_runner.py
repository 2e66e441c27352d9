"""run_batch on a real executor with real analyses (keypoint CSVs: no pose model): rows, summary,
index, a failing input that does not stop the batch, resuming, and analyse_one's contract."""

from __future__ import annotations

import pickle
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

from runform.batch import HEADLINE_METRICS, analyse_one, read_inputs, run_batch


@pytest.fixture
def manifest(tmp_path, gait_csv):
    (tmp_path / "broken.csv").write_text("time_s,left_hip_x\nnot,numbers\n")
    path = tmp_path / "manifest.csv"
    path.write_text(f"path,athlete,height_m\n{gait_csv},Ann,1.7\nbroken.csv,Bob,\nmissing.csv,Cy,\n")
    return path


def test_batch_records_every_input_and_goes_on(manifest, tmp_path):
    out = tmp_path / "out"
    seen = []
    with ThreadPoolExecutor(2) as executor:
        rows = run_batch(read_inputs(manifest, {"write_report": False}), out, executor, lambda d, t, r: seen.append((d, t)))
    assert [r["status"] for r in rows] == ["done", "failed", "failed"]
    assert sorted(seen) == [(1, 3), (2, 3), (3, 3)]
    assert "KeypointDataError" in rows[1]["reason"] and "not found" in rows[2]["reason"]
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary["name"]) == ["synthetic_runner", "broken", "missing"]
    assert list(summary["athlete"]) == ["Ann", "Bob", "Cy"]
    done = summary.iloc[0]
    assert 150 < done["cadence_steps_per_min"] < 200 and done["cadence_steps_per_min_uncertainty"] > 0
    assert done["stride_length_m"] > 0 and (out / "synthetic_runner" / "analysis.json").is_file()
    assert not (out / "broken").exists()  # nothing half-written for a failed clip
    assert "synthetic_runner" in (out / "index.html").read_text()


def test_second_run_skips_finished_clips_and_retries_failed_ones(manifest, tmp_path, gait_csv):
    out = tmp_path / "out"
    items = read_inputs(manifest, {"write_report": False})
    with ThreadPoolExecutor(1) as executor:
        first = run_batch(items, out, executor)
    stamp = (out / "synthetic_runner" / "analysis.json").stat().st_mtime_ns
    (tmp_path / "missing.csv").write_bytes(gait_csv.read_bytes())  # the missing clip appears
    with ThreadPoolExecutor(1) as executor:
        second = run_batch(items, out, executor)
    assert (out / "synthetic_runner" / "analysis.json").stat().st_mtime_ns == stamp  # not re-run
    assert second[0]["cadence_steps_per_min"] == pytest.approx(first[0]["cadence_steps_per_min"])
    assert [r["status"] for r in second] == ["done", "failed", "done"]
    changed = read_inputs(manifest, {"write_report": False, "event": "5k"})  # other options: run again
    with ThreadPoolExecutor(1) as executor:
        run_batch(changed, out, executor)
    assert (out / "synthetic_runner" / "analysis.json").stat().st_mtime_ns != stamp


def test_analyse_one_contract(gait_csv, tmp_path):
    assert pickle.loads(pickle.dumps(analyse_one)) is analyse_one
    row = analyse_one(str(gait_csv), str(tmp_path / "o"), {"height_m": "1.7", "write_report": False})
    assert row["status"] == "done" and row["reason"] == "" and row["out_dir"] == str(tmp_path / "o")
    assert all(m in row and f"{m}_uncertainty" in row for m in HEADLINE_METRICS)
    bad = analyse_one(str(gait_csv), str(tmp_path / "p"), {"height_m": "9"})
    assert bad["status"] == "failed" and "OptionError" in bad["reason"] and bad["out_dir"] == ""
