"""CLI: output contract, summary, and clear errors with documented exit codes."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from runform.cli import app
from runform.io.serialise import SCHEMA_VERSION

runner = CliRunner()


@pytest.fixture(scope="module")
def kp_csv(raw_keypoints_csv):
    return raw_keypoints_csv


def test_analyze_writes_output_contract(kp_csv, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["analyze", str(kp_csv), "--height", "1.78", "--event", "10k", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Cadence" in result.output
    data = json.loads((out / "analysis.json").read_text())
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["config"]["event"] == "10k"
    assert data["calibration"]["method"] == "height" and data["calibration"]["length_unit"] == "m"
    for key in ("cadence_steps_per_min", "contact_time_s", "max_thigh_angle_deg", "stride_length_m"):
        assert data["summary"][key]["value"] is not None
        assert data["summary"][key]["left"]["n"] >= 4
    events = pd.read_csv(out / "events.csv")
    assert list(events.columns) == ["frame", "time_s", "side", "event", "confidence"]
    assert set(events["event"]) == {"contact", "toe_off"} and set(events["side"]) == {"left", "right"}
    strides = pd.read_csv(out / "strides.csv")
    assert {"side", "max_thigh_angle_deg", "contact_time_s", "stride_length_m"} <= set(strides.columns)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.tmp")]


def test_pixels_are_labelled_without_calibration(kp_csv, tmp_path):
    result = runner.invoke(app, ["analyze", str(kp_csv), "-o", str(tmp_path / "o")])
    assert result.exit_code == 0
    assert "pixels" in result.output
    strides = pd.read_csv(tmp_path / "o" / "strides.csv")
    assert "stride_length_px" in strides.columns and "stride_length_m" not in strides.columns


def test_treadmill_speed_gives_stride_length_from_belt(kp_csv, tmp_path, labels):
    """On a treadmill a stride is belt speed x stride time. The truth's stride time is the labels v2's
    (11 steps from the first to the last labelled contact, SOURCES.md: 169.2 steps/min)."""
    result = runner.invoke(app, ["analyze", str(kp_csv), "--treadmill-speed", "8km/h", "-o", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "o" / "analysis.json").read_text())
    contacts = labels[labels["event"] == "contact"]["time_s"].sort_values().to_numpy()
    true_stride_s = 2 * (contacts[-1] - contacts[0]) / (len(contacts) - 1)
    # 2 %: the labels' +-1 frame over 3.9 s is 0.9 %, upstream whole-clip cadence 168.9 vs 169.2 is 0.2 %
    assert data["summary"]["stride_length_m"]["value"] == pytest.approx(8 / 3.6 * true_stride_s, rel=0.02)
    assert data["summary"]["step_length_m"]["value"] == pytest.approx(8 / 3.6 * true_stride_s / 2, rel=0.02)


def test_treadmill_speed_sets_the_scale_of_the_planted_foot(gait_csv, tmp_path):
    """The synthetic runner's foot moves with the ground at (0.35 + 0.45) leg of 200 px in its 0.25 s
    stance (fixtures.gait): 640 px/s, so on an 8 km/h belt one metre is 640 / (8 / 3.6) = 288 px, and a
    stride (120 / 170 s) is 8 / 3.6 x 120 / 170 = 1.569 m."""
    result = runner.invoke(app, ["analyze", str(gait_csv), "--treadmill-speed", "8km/h", "--no-report", "-o", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "o" / "analysis.json").read_text())
    assert data["calibration"]["method"] == "treadmill_speed"
    # 1 %: the pipeline reads the stances from its detected events on low-pass filtered keypoints
    # (measured 0.25 % high); on the true events the scale is exact (test_calibration.py)
    assert data["calibration"]["px_per_m"] == pytest.approx(640 / (8 / 3.6), rel=0.01)
    assert data["summary"]["stride_length_m"]["value"] == pytest.approx(8 / 3.6 * 120 / 170, rel=0.01)


def test_options_become_the_config_given_to_the_pipeline(monkeypatch, tmp_path, gait_keypoints):
    """The CLI only builds a Config and calls pipeline.run; the expensive call is patched here."""
    import runform.pipeline as pipeline
    from runform.config import Config

    seen = {}

    def fake_run(source, config, out_dir=None, progress=None):
        seen.update(source=source, config=config, out_dir=out_dir)
        return pipeline.analyze_keypoints(gait_keypoints[0], config, str(source))

    monkeypatch.setattr(pipeline, "run", fake_run)
    args = ["analyze", str(tmp_path / "clip.mp4"), "--height", "1.8", "--event", "marathon", "--fast", "--no-video", "-o", str(tmp_path / "o")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert seen["out_dir"] == tmp_path / "o" and seen["source"] == tmp_path / "clip.mp4"
    assert seen["config"] == Config(height_m=1.8, event="marathon", model_complexity=0, write_video=False)
    assert "Coaching: marathon" in result.output and "Results written to" in result.output


def test_video_only_options_on_a_keypoint_file_are_said_to_be_ignored(kp_csv, tmp_path):
    """--person, --fast and --slow-motion act on videos: on a keypoint file they were ignored in
    silence while analysis.json recorded them as applied."""
    out = tmp_path / "out"
    result = runner.invoke(app, ["analyze", str(kp_csv), "--person", "300,600", "--fast", "--slow-motion", "3",
                                 "--no-report", "-o", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "--person, --fast, --slow-motion: for videos only, ignored" in " ".join(result.output.split())
    config = json.loads((out / "analysis.json").read_text())["config"]
    assert (config["person"], config["model_complexity"], config["slow_motion_factor"]) == (None, 1, 1.0)
    assert config["write_report"] is False and config["write_video"] is False  # --no-report writes no video


def test_video_without_the_report_is_an_option_error(kp_csv, tmp_path):
    """--no-report --video wrote no video and said nothing; the two options contradict each other."""
    result = runner.invoke(app, ["analyze", str(kp_csv), "--no-report", "--video", "-o", str(tmp_path / "out")])
    assert result.exit_code == 3, result.output
    assert "Found: --no-report --video" in " ".join(result.output.split())
    assert not (tmp_path / "out").exists()


def test_a_scale_given_but_not_used_is_not_called_no_scale(kp_csv, tmp_path):
    result = runner.invoke(app, ["analyze", str(kp_csv), "--treadmill-speed", "12", "--no-report", "-o", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "the scale given could not be used" in text and "no scale given" not in text


def test_end_at_a_keypoint_files_own_end_is_not_after_it(kp_csv, tmp_path):
    """A 12 s file (360 samples at 30 Hz, the last at 11.967 s) given --end 12 was told "--end 12 s is
    after the file's end (12.0 s)"; its end is now n samples / rate, as a video's."""
    time_s = pd.read_csv(kp_csv)["time_s"].drop_duplicates().to_numpy()
    end = float(time_s[-1] - time_s[0] + (time_s[1] - time_s[0]))
    for given, warned in ((end, False), (end + 1.0, True)):
        result = runner.invoke(app, ["analyze", str(kp_csv), "--end", f"{given:.4f}", "--no-report", "-o", str(tmp_path / f"o{given}")])
        assert result.exit_code == 0, result.output
        assert ("after the file's end" in result.output) == warned, result.output


def test_analyze_takes_its_option_defaults_from_config():
    """The command repeats no Config default: each option's default is read from Config."""
    import inspect

    from runform.cli.analyze import analyze
    from runform.config import Config

    defaults = {name: p.default for name, p in inspect.signature(analyze).parameters.items()}
    fields = {"weeks": "programme_weeks", "slow_motion": "slow_motion_factor", "frame_memory": "frame_memory_mib"}
    for option, field in fields.items():
        assert defaults[option] == Config.model_fields[field].default, option
    source = inspect.getsource(analyze)
    for field in fields.values():
        assert f'Config.model_fields["{field}"].default' in source, field
