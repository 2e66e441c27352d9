"""Events, cadence and contact time on the hand-labelled shared treadmill clip (SOURCES.md)."""

from __future__ import annotations

import pytest
from conftest import match_events

UPSTREAM_CADENCE = 168.9  # +/- 0.5, pixel-only upstream truth over the whole clip


@pytest.mark.parametrize("kind", ["contact", "toe_off"])
def test_events_within_one_frame_of_labels(clip_analysis, labels, kind):
    matched = match_events(clip_analysis.events, labels[labels["event"] == kind])
    errors = matched["frame_error"].abs()
    assert (errors <= 1).mean() >= 0.9, matched[["frame", "side", "detected_frame"]]
    assert errors.max() <= 2


def test_events_are_sub_frame(clip_analysis):
    fractional = (clip_analysis.events["time_s"] * 30) % 1
    assert ((fractional > 0.05) & (fractional < 0.95)).mean() > 0.5


def test_events_alternate_and_have_confidence(clip_analysis):
    ev = clip_analysis.events
    for side in ("left", "right"):
        kinds = ev[ev["side"] == side].sort_values("time_s")["event"].tolist()
        assert all(a != b for a, b in zip(kinds, kinds[1:]))
    assert ev["confidence"].between(0, 1).all()
    assert ev["confidence"].median() > 0.5


def test_cadence_matches_upstream_truth(clip_analysis):
    assert abs(clip_analysis.overall_cadence_steps_per_min - UPSTREAM_CADENCE) <= 0.5


def test_mean_contact_time_in_labelled_band(clip_analysis):
    assert 0.30 <= clip_analysis.strides["contact_time_s"].mean() <= 0.37


def test_near_leg_is_left_for_left_facing_runner(clip_analysis):
    assert clip_analysis.cleaning.direction == -1
    assert clip_analysis.cleaning.side_cue in ("depth", "confidence")


def test_knee_lift_in_recreational_band(clip_analysis):
    # SOURCES.md: left thigh ~40 +/- 10 deg, "far from sprint-like 70-90 deg"
    lift = clip_analysis.summary["max_thigh_angle_deg"]["left"]["median"]
    assert 15 <= lift <= 50
