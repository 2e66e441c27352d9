"""Issue 15: what a new runner or coach stumbled on, through the CLI as they would meet it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from runform import errors
from runform.cli import app
from runform.config import EVENT_NAMES
from runform.io import validate_analysis
from runform.version import __version__

runner = CliRunner()
README = Path(__file__).resolve().parents[3] / "README.md"


def _text(result) -> str:  # noqa: ANN001
    return " ".join(result.output.split())  # Rich wraps long lines


def _analyze(csv: Path, out: Path, *extra: str) -> dict:
    result = runner.invoke(app, ["analyze", str(csv), "--no-report", "-o", str(out), *extra])
    assert result.exit_code == 0, result.output
    return json.loads((out / "analysis.json").read_text())


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"runform {__version__}"


def test_help_lists_every_event_the_defaults_and_no_bool_noise():
    text = _text(runner.invoke(app, ["analyze", "--help"], terminal_width=200))
    assert "<bool>" not in text
    for event in EVENT_NAMES:
        assert event in text
    assert "[default: 10k]" in text and "_runform" in text


@pytest.mark.parametrize("args", [["analyze", "--bogus", "x.mp4"], ["analyze"], ["analyze", "x.mp4", "--weeks", "abc"]],
                         ids=["unknown-option", "missing-argument", "wrong-type"])  # fmt: skip
def test_usage_errors_exit_with_the_documented_bad_option_code(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 3, result.output
    assert re.search(r"\b3 bad option\b", README.read_text()), "README documents exit code 3 for bad options"


def test_no_arguments_prints_help_and_exits_0():
    result = runner.invoke(app, [])
    assert result.exit_code == 0 and "analyze" in result.output


def test_option_errors_name_the_flag_in_words(tmp_path):
    text = _text(runner.invoke(app, ["analyze", str(tmp_path / "x.mp4"), "--weeks", "0"]))
    assert "--weeks must be at least 1; got 0" in text
    assert "programme_weeks" not in text and "a valid" not in text


def test_text_file_named_mp4_is_not_a_video_file(tmp_path):
    path = tmp_path / "notes.mp4"
    path.write_text("this is not a video")
    result = runner.invoke(app, ["analyze", str(path)])
    assert result.exit_code == 2
    assert "not a video file" in _text(result) and "Errno" not in result.output


def test_resolved_event_is_stored_and_compare_takes_folders(gait_csv, tmp_path):
    first = _analyze(gait_csv, tmp_path / "first")  # no --event: the default
    second = _analyze(gait_csv, tmp_path / "second", "--event", "10k")
    assert first["config"]["event"] == second["config"]["event"] == "10k"
    assert first["config"]["event_given"] is False and second["config"]["event_given"] is True
    result = runner.invoke(app, ["compare", str(tmp_path / "first"), str(tmp_path / "second")], terminal_width=200)
    assert result.exit_code == 0, result.output
    text = _text(result)
    assert "event changed" not in text and "differs" not in text
    assert "analysis.json -> analysis.json" not in text and "synthetic_runner.csv, 20" in text
    assert "Knee lift" in text and "max_thigh_angle_deg" not in text


def test_compare_says_what_differs(gait_csv, tmp_path):
    _analyze(gait_csv, tmp_path / "a", "--event", "10k")
    _analyze(gait_csv, tmp_path / "b", "--event", "marathon")
    result = runner.invoke(app, ["compare", str(tmp_path / "a"), str(tmp_path / "b"), "--json"])
    assert result.exit_code == 0, result.output
    warnings = json.loads(result.output)["warnings"]
    assert any("10k -> marathon" in w for w in warnings), warnings


def test_no_finding_or_comparison_uses_pixel_lengths(gait_csv, tmp_path):
    pixels = _analyze(gait_csv, tmp_path / "px")
    belt = _analyze(gait_csv, tmp_path / "belt", "--treadmill-speed", "12km/h")
    for data in (pixels, belt):
        for finding in data["coaching"]["findings"]:
            assert not finding["metric"].endswith("_px"), finding["id"]
            assert "stride_length" not in finding.get("reference", ""), finding
    assert pixels["coaching"]["step_length"]["measured"] is False
    assert belt["coaching"]["step_length"]["measured"] is True
    ids = lambda d: {f["id"] for f in d["coaching"]["findings"]}  # noqa: E731
    assert ids(pixels) - {"distance-short-step"} == ids(belt) - {"distance-short-step"}  # adding a scale changes no angle finding
    result = json.loads(runner.invoke(app, ["compare", str(tmp_path / "belt"), str(tmp_path / "px"), "--json"]).output)
    assert not [r for r in result["metrics"] if r["metric"].endswith(("_px", "_m", "_cm"))]
    assert "distance-short-step" not in result["resolved_findings"]


def test_written_analysis_follows_the_schema(gait_csv, tmp_path):
    validate_analysis(_analyze(gait_csv, tmp_path / "o", "--height", "1.8", "--event", "400m"))


def test_terminal_summary_has_a_plain_headline_and_no_stray_dots(gait_csv, tmp_path):
    result = runner.invoke(app, ["analyze", str(gait_csv), "--no-report", "-o", str(tmp_path / "o")], terminal_width=200)
    assert result.exit_code == 0
    assert re.search(r"Knee lift \d+ deg: (below|within|above) the 10k band \(35-50 deg\)", result.output)
    assert not [line for line in result.output.splitlines() if line.strip() in (".", "")[:1] or line.rstrip().endswith(" .")]
    assert "Which programme?" in result.output


#: README's words for each exit code, and the error class the CLI turns into it.
EXIT_CODES = {1: ("other runform error", errors.RunformError), 2: ("bad input file", errors.InputError),
              3: ("bad option", errors.OptionError), 4: ("bad keypoint data", errors.KeypointDataError),
              5: ("cannot analyse", errors.AnalysisError), 6: ("quality gate refused", errors.QualityRefused),
              7: ("output folder not writable", errors.OutputError), 130: ("interrupted", errors.Cancelled)}  # fmt: skip


def test_readme_exit_codes_are_the_ones_the_cli_returns():
    """README's exit-code list names every code the CLI returns (the error classes' codes; each is
    exercised through the CLI in tests/integration/test_bad_inputs.py) and no other."""
    text = " ".join(README.read_text().split())
    listed = text[text.index("Exit codes:"):].split(". Every error")[0]
    assert {int(code) for code in re.findall(r"(\d+) [a-z]", listed)} == {0, *EXIT_CODES}
    for code, (words, cls) in EXIT_CODES.items():
        assert f"{code} {words}" in listed
        assert cls.exit_code == code
    classes = {cls for cls in vars(errors).values() if isinstance(cls, type) and issubclass(cls, errors.RunformError)}
    assert classes == {cls for _, cls in EXIT_CODES.values()}, "a new error class needs its exit code in README"


def test_every_option_in_the_readme_usage_exists():
    """README's usage examples use only options the commands accept (checked against their --help)."""
    text = README.read_text()
    usage = text[text.index("## Usage"):text.index("## Batch and scale-out")]
    commands = [line.split("#")[0].split() for line in usage.splitlines() if line.startswith("runform ")]
    assert len(commands) >= 10
    for words in commands:
        if words[1].startswith("--"):
            help_text = runner.invoke(app, ["--help"], terminal_width=200).output
        else:
            help_text = runner.invoke(app, [words[1], "--help"], terminal_width=200).output
        for option in (w for w in words if w.startswith("-")):
            assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", help_text), f"{' '.join(words)}: {option}"
