"""``frame_memory_mib`` / ``--frame-memory``: what ``pipeline.run`` asks the pose pass to keep."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import runform.pipeline as pipeline
from runform.cli import app
from runform.config import Config
from runform.errors import OptionError


class _Asked(Exception):
    pass


@pytest.fixture
def asked(monkeypatch, tmp_path) -> tuple[Path, list[dict]]:
    """A video path and the options ``pipeline`` gives the pose backend (the pass itself is not run)."""
    calls: list[dict] = []

    def backend_for(path, model_complexity=1, **options):  # noqa: ANN001, ANN202
        calls.append(options)
        raise _Asked

    monkeypatch.setattr(pipeline, "backend_for", backend_for)
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"not read")
    return clip, calls


@pytest.mark.parametrize(
    ("config", "out", "kept_mib"),
    [(Config(), True, 384), (Config(frame_memory_mib=100), True, 100), (Config(frame_memory_mib=0), True, None),
     (Config(write_video=False), True, None), (Config(), False, None)],
    ids=["default", "100-mib", "zero", "no-video", "analyse-only"],
)
def test_run_asks_the_pose_pass_to_keep_frames_within_the_setting(asked, config, out, kept_mib, tmp_path):
    clip, calls = asked
    with pytest.raises(_Asked):
        if out:
            pipeline.run(clip, config, tmp_path / "out")
        else:
            pipeline.analyze(clip, config)
    budget = calls[0].get("keep_frames_budget_bytes")
    assert (None if budget is None else budget / 2**20) == kept_mib
    assert ("keep_frames_max_side_px" in calls[0]) == (kept_mib is not None)


def test_frame_memory_option():
    with pytest.raises(OptionError):
        pipeline.make_config(frame_memory_mib=-1)
    result = CliRunner().invoke(app, ["analyze", "--help"], env={"COLUMNS": "200"})
    assert "--frame-memory" in result.output
