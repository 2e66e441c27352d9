"""A mirrored clip is a right-facing runner showing the right leg: same events, sides exchanged."""

from __future__ import annotations

import numpy as np

import runform


def test_mirrored_clip_gives_same_events_with_sides_exchanged(clip_analysis, mirrored_clip):
    mirrored = runform.analyze(mirrored_clip)
    assert mirrored.cleaning.direction == -clip_analysis.cleaning.direction
    original = clip_analysis.events
    swap = {"left": "right", "right": "left"}
    errors = []
    for _, row in mirrored.events.iterrows():
        same = original[(original["side"] == swap[row["side"]]) & (original["event"] == row["event"])]
        errors.append(np.min(np.abs(same["frame"].to_numpy() - row["frame"])))
    errors = np.array(errors)
    assert (errors <= 1).mean() >= 0.95
    assert abs(mirrored.overall_cadence_steps_per_min - clip_analysis.overall_cadence_steps_per_min) < 1.0
    left = mirrored.summary["max_thigh_angle_deg"]["right"]["median"]
    assert abs(left - clip_analysis.summary["max_thigh_angle_deg"]["left"]["median"]) < 5


def test_mirrored_clip_matches_labels_v2(mirrored_clip, labels):
    """The same targets as the original clip, with the labelled sides exchanged (issue 11)."""
    from conftest import match_events, spurious_events

    mirrored = runform.analyze(mirrored_clip)
    swapped = labels.assign(side=labels["side"].map({"left": "right", "right": "left"}))
    for kind, tolerance in (("contact", 1.0), ("toe_off", 1.25)):
        errors = match_events(mirrored.events, swapped[swapped["event"] == kind])["error_frames"]
        assert (errors.abs() <= tolerance).mean() >= 0.9, (kind, errors.round(2).tolist())
        assert abs(errors.mean()) <= 0.5
        extra = spurious_events(mirrored.events, swapped[swapped["event"] == kind])
        assert extra.empty, extra
    assert 0.28 <= mirrored.strides["contact_time_s"].mean() <= 0.32
