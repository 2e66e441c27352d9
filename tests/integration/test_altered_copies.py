"""Altered copies of the real clip against labels v2 (the cases ``benchmarks/robustness.py`` found):
a 360 x 640 copy once lost the near foot's first stance (a stance bracket beside a one-frame gap)."""

from __future__ import annotations

import pytest
import robustness  # benchmarks/ is on sys.path (tests/conftest.py)
from conftest import match_events, spurious_events

import runform


@pytest.fixture(scope="module")
def half_resolution(tmp_path_factory, clip):
    return runform.analyze(robustness.write_variant("half_res", tmp_path_factory.mktemp("half") / "half.mp4"))


def test_half_resolution_copy_keeps_every_stance(half_resolution, labels):
    for kind, tolerance in (("contact", 1.0), ("toe_off", 1.25)):
        errors = match_events(half_resolution.events, labels[labels["event"] == kind])["error_frames"]
        assert errors.abs().max() <= 3, (kind, errors.round(2).tolist())  # none lost
        extra = spurious_events(half_resolution.events, labels[labels["event"] == kind])
        assert extra.empty, extra  # none added
        assert (errors.abs() <= tolerance).mean() >= 0.9, (kind, errors.round(2).tolist())
        assert abs(errors.mean()) <= 0.5
    assert 0.28 <= half_resolution.strides["contact_time_s"].mean() <= 0.32


@pytest.fixture(scope="module")
def shown_twice(tmp_path_factory, clip):
    return runform.analyze(robustness.write_variant("doubled60", tmp_path_factory.mktemp("twice") / "twice.mp4"))


@pytest.fixture(scope="module")
def frozen_intro(tmp_path_factory, clip):
    return runform.analyze(robustness.write_variant("frozen_intro", tmp_path_factory.mktemp("frozen") / "frozen.mp4"))


def test_a_clip_saved_at_60_fps_with_every_picture_twice_is_judged_at_30_fps(shown_twice, labels):
    """The repeated pictures are left out: events on labels v2 in frames of 30 fps, and the gate and
    the uncertainty judge 30 fps, not the file's 60 (README limitation before session 12)."""
    assert shown_twice.video["repeated_frames"] in range(355, 361)  # every second frame of 720
    checks = {c.name: c for c in shown_twice.quality.checks}
    assert checks["repeated_frames"].verdict == "warn" and "shown 2 times" in checks["repeated_frames"].message
    assert checks["frame_rate"].value == pytest.approx(30.0, abs=0.1)
    assert shown_twice.keypoints.sampling_rate_hz == pytest.approx(60.0, abs=0.1)
    row = robustness.score("doubled60", shown_twice, labels)
    assert row["passes"], row


def test_a_frozen_intro_gets_no_events_and_the_run_after_it_matches_labels(frozen_intro, labels):
    """A still picture held for 2 s before the run once got a stance of its own (session 11's note)."""
    assert frozen_intro.video["repeated_frames"] >= 55
    assert (frozen_intro.events["time_s"] >= 2.0).all(), frozen_intro.events.head()
    row = robustness.score("frozen_intro", frozen_intro, labels)
    assert row["passes"], row


def test_the_real_clip_repeats_no_picture(clip_analysis):
    assert clip_analysis.video["repeated_frames"] == 0
    assert {c.name: c.verdict for c in clip_analysis.quality.checks}["repeated_frames"] == "pass"


def test_pictures_shown_three_times_after_heavy_compression_are_judged_at_their_rate(tmp_path, clip, labels):
    """Saved at 90 fps, every picture 3 times, x264 CRF 35: the re-coded copies were taken for
    pictures of their own (2 of 720 found; session 13), so the clip was judged at 90 fps."""
    shown_three_times = runform.analyze(robustness.write_variant("tripled90_crf35", tmp_path / "three.mp4"))
    assert shown_three_times.video["repeated_frames"] in range(715, 721)  # two of every three frames of 1080
    checks = {c.name: c for c in shown_three_times.quality.checks}
    assert "shown 3 times" in checks["repeated_frames"].message and checks["frame_rate"].value == pytest.approx(30.0, abs=0.1)
    row = robustness.score("tripled90_crf35", shown_three_times, labels)
    assert row["contact"]["within_pct"] >= 90 and abs(row["mean_contact_time_s"] - 0.298) <= 0.02, row
