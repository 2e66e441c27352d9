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


def test_treadmill_speed_gives_stride_length_from_belt(kp_csv, tmp_path):
    result = runner.invoke(app, ["analyze", str(kp_csv), "--treadmill-speed", "8km/h", "-o", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "o" / "analysis.json").read_text())
    stride = data["summary"]["stride_length_m"]["value"]
    stride_time = data["summary"]["stride_time_s"]["value"]
    assert stride == pytest.approx(8 / 3.6 * stride_time, rel=0.02)


def _text_mp4(tmp_path):
    path = tmp_path / "notes.mp4"
    path.write_text("this is not a video")
    return path


def _empty(tmp_path):
    path = tmp_path / "empty.mp4"
    path.touch()
    return path


@pytest.mark.parametrize(
    ("make_args", "code", "message"),
    [
        (lambda p: ["analyze", str(p / "missing.mp4")], 2, "not found"),
        (lambda p: ["analyze", str(p)], 2, "directory"),
        (lambda p: ["analyze", str(_empty(p))], 2, "empty"),
        (lambda p: ["analyze", str(_text_mp4(p))], 2, "not a video file"),
        (lambda p: ["analyze", str(_text_mp4(p).rename(p / "x.xyz"))], 2, "Unsupported input type"),
        (lambda p: ["analyze", str(_text_mp4(p)), "--event", "ultra"], 3, "unknown event"),
        (lambda p: ["analyze", str(_text_mp4(p)), "--height", "-1.7"], 3, "--height"),
        (lambda p: ["analyze", str(_text_mp4(p)), "--treadmill-speed", "90"], 3, "treadmill speed"),
        (lambda p: ["analyze", str(_text_mp4(p)), "--treadmill-speed", "fast"], 3, "Cannot read the treadmill speed"),
    ],
    ids=["missing", "directory", "empty", "text-as-mp4", "unknown-suffix", "event", "height", "speed", "speed-text"],
)
def test_bad_inputs(tmp_path, make_args, code, message):
    result = runner.invoke(app, make_args(tmp_path))
    assert result.exit_code == code, result.output
    text = " ".join(result.output.split())  # Rich wraps long lines
    assert message in text
    assert "What to do" in text or "Expected" in text


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
