"""``runform.pipeline.run``: every stage, the whole output folder, refusals and warnings (synthetic input, no video)."""

from __future__ import annotations

import json

import pytest
from fixtures.gait import make_gait_keypoints
from typer.testing import CliRunner

from runform.cli import app
from runform.config import Config
from runform.errors import OutputError, QualityRefused
from runform.io import to_csv
from runform.pipeline import run


def test_run_writes_the_output_folder_and_returns_the_analysis(gait_csv, tmp_path):
    out = tmp_path / "out"
    analysis = run(gait_csv, Config(write_report=False), out)
    assert sorted(p.name for p in out.iterdir()) == ["analysis.json", "events.csv", "keypoints.csv", "strides.csv"]
    data = json.loads((out / "analysis.json").read_text())
    assert data["summary"]["cadence_steps_per_min"]["value"] == pytest.approx(170, abs=1)
    assert analysis.overall_cadence_steps_per_min == pytest.approx(170, abs=1)
    assert analysis.coaching is not None and data["coaching"]["event"] == analysis.coaching["event"]
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name or ".old-" in p.name]


def test_rerun_leaves_no_file_of_the_earlier_run(gait_csv, tmp_path):
    out = tmp_path / "out"
    run(gait_csv, Config(write_report=True), out)
    assert (out / "report.html").exists()
    (out / ".DS_Store").write_text("a file browser's")
    run(gait_csv, Config(write_report=False, event="400m"), out)
    assert sorted(p.name for p in out.iterdir()) == ["analysis.json", "events.csv", "keypoints.csv", "strides.csv"]
    assert json.loads((out / "analysis.json").read_text())["config"]["event"] == "400m"
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name or ".old-" in p.name]


def test_a_refused_rerun_leaves_only_its_diagnostic(gait_csv, tmp_path):
    """The earlier run's report and tables describe another clip: after a refused run into the same
    folder only the refusal's diagnostic is there (no analysis.json of the earlier clip beside it)."""
    out = tmp_path / "out"
    run(gait_csv, Config(write_report=True), out)
    assert (out / "analysis.json").exists()
    kp, _ = make_gait_keypoints(60.0, 100.0, contact_time_s=0.8)  # walking
    walker = tmp_path / "walker.csv"
    to_csv(kp, walker)
    with pytest.raises(QualityRefused):
        run(walker, Config(write_report=True), out)
    assert sorted(p.name for p in out.iterdir()) == ["diagnostic.html"]
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name or ".old-" in p.name]


def test_a_failing_rerun_keeps_the_earlier_results_whole(gait_csv, tmp_path):
    """A run that fails (bad input) writes nothing: the earlier results stay as they were."""
    out = tmp_path / "out"
    run(gait_csv, Config(write_report=True), out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    broken = tmp_path / "broken.csv"
    broken.write_text("time_s,left_hip_x\n0.0,abc\n")
    result = CliRunner().invoke(app, ["analyze", str(broken), "-o", str(out)])
    assert result.exit_code != 0 and "What to do" in result.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name or ".old-" in p.name]


def test_a_rerun_never_deletes_what_the_user_saved_in_the_earlier_folder(gait_csv, tmp_path):
    out = tmp_path / "out"
    run(gait_csv, Config(write_report=False), out)
    (out / "notes-from-last-week.txt").write_text("precious")
    (out / "compare").mkdir()
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    with pytest.raises(OutputError) as refused:
        run(gait_csv, Config(write_report=False, event="400m"), out)
    text = str(refused.value)
    assert "compare/, notes-from-last-week.txt" in text and "move them out of the folder" in text
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before
    assert (out / "notes-from-last-week.txt").read_text() == "precious"


def test_the_clip_name_replaces_the_file_name_in_the_report_and_the_comparison(gait_csv, tmp_path):
    from runform.pipeline import compare_sessions

    run(gait_csv, Config(write_report=True, clip_name="Track session, 12 March.mp4"), tmp_path / "named")
    run(gait_csv, Config(write_report=True), tmp_path / "plain")
    named = (tmp_path / "named" / "report.html").read_text(encoding="utf-8")
    assert "<title>runform report: Track session, 12 March.mp4</title>" in named and gait_csv.name not in named
    assert f"<title>runform report: {gait_csv.name}</title>" in (tmp_path / "plain" / "report.html").read_text(encoding="utf-8")
    assert json.loads((tmp_path / "named" / "analysis.json").read_text())["config"]["clip_name"] == "Track session, 12 March.mp4"
    labels = compare_sessions(tmp_path / "named", tmp_path / "plain")
    assert labels["before_label"].startswith("Track session, 12 March.mp4, ")
    assert labels["after_label"].startswith(f"{gait_csv.name}, ")


def test_a_folder_runform_did_not_write_is_never_replaced(gait_csv, tmp_path):
    (tmp_path / "thesis.tex").write_text("precious")
    with pytest.raises(OutputError, match="Cannot write the output folder"):
        run(gait_csv, Config(write_report=False), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["synthetic_runner.csv", "thesis.tex"]
    assert (tmp_path / "thesis.tex").read_text() == "precious"


def test_refused_clip_raises_and_writes_only_the_diagnostic(tmp_path):
    kp, _ = make_gait_keypoints(60.0, 100.0, contact_time_s=0.8)  # duty factor 0.67: walking
    path = tmp_path / "walker.csv"
    to_csv(kp, path)
    with pytest.raises(QualityRefused, match="walking"):
        run(path, Config(write_report=False), tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["diagnostic.html"]  # keypoint input: no frames
    assert "REFUSED" in (tmp_path / "out" / "diagnostic.html").read_text(encoding="utf-8")


def test_a_scale_fallback_is_a_quality_warning_and_the_cli_shows_it(gait_csv, tmp_path, monkeypatch):
    """A belt speed that cannot be measured (no stance) is said by the gate's scale check, so that
    the report, analysis.json and the terminal carry it (it was a log line only)."""
    import runform.kinematics.calibration as calibration

    monkeypatch.setattr(calibration, "stance_speed_px_s", lambda *_a, **_k: float("nan"))
    analysis = run(gait_csv, Config(treadmill_speed_mps=3.0, write_report=False), tmp_path / "a")
    assert analysis.calibration.method == "none"
    scale = analysis.quality.get("scale")
    assert scale.verdict == "warn" and "belt speed 3 m/s cannot be used for scale" in scale.message
    result = CliRunner().invoke(app, ["analyze", str(gait_csv), "--treadmill-speed", "3", "--no-report", "-o", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    assert "scale: the belt speed 3 m/s cannot be used for scale" in " ".join(result.output.split())


def test_analyze_refuses_options_next_to_a_config_instead_of_ignoring_them(gait_csv):
    from runform.errors import OptionError
    from runform.pipeline import analyze

    with pytest.raises(OptionError, match="Both a config and options") as caught:
        analyze(gait_csv, Config(), height_m=1.8)
    assert "height_m" in caught.value.found


def test_the_source_kind_is_the_keypoints_own_not_read_from_the_source_name(gait_keypoints):
    """Motion capture is marked by the virtual camera (``Keypoints.kind``), not guessed from a name."""
    from runform.config import make_config
    from runform.pipeline import analyze_keypoints

    kp, _ = gait_keypoints
    named_like_mocap = kp.replace(source="virtual-camera(my-own.csv)")
    assert analyze_keypoints(named_like_mocap, make_config(), "x.csv").source_kind == "video"
    projected = kp.replace(kind="motion-capture")
    assert analyze_keypoints(projected, make_config(), "x.csv").source_kind == "motion-capture"


def test_motion_capture_and_keypoint_files_load_as_their_kind(gait_csv):
    from fixtures.data import DATA, need

    import runform

    assert runform.load_keypoints(need(DATA / "rbds" / "RBDS001runT35_joints.csv")).kind == "motion-capture"
    assert runform.load_keypoints(gait_csv).kind == "video"
