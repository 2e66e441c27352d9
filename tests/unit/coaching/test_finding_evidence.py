"""A finding's evidence counts the strides its headline value was taken from."""

from __future__ import annotations

import pandas as pd

from runform.coaching.findings import evaluate


def _strides(near: list[float], far: list[float]) -> pd.DataFrame:
    rows = [{"side": "left", "contact_frame": 10 * k, "max_thigh_angle_deg": v} for k, v in enumerate(near)]
    rows += [{"side": "right", "contact_frame": 10 * k + 5, "max_thigh_angle_deg": v} for k, v in enumerate(far)]
    return pd.DataFrame(rows)


def _shuffle(summary_side: str | None, strides: pd.DataFrame):  # noqa: ANN202
    near = strides[strides["side"] == (summary_side or "left")]["max_thigh_angle_deg"]
    entry = {"value": float(near.median()), "median": float(near.median()), "uncertainty": 1.0, "n": len(near),
             "headline_side": summary_side, "left": {"median": 25.0}, "right": {"median": 30.0}}  # fmt: skip
    found = [f for f in evaluate({"max_thigh_angle_deg": entry}, strides, "distance") if f.id == "distance-shuffle"]
    assert len(found) == 1
    return found[0].evidence


def test_one_reliable_leg_its_strides_alone_are_the_evidence():
    strides = _strides(near=[24.0, 25.0, 26.0, 25.0], far=[30.0, 31.0, 40.0])  # the far leg: two strides below 35
    evidence = _shuffle("left", strides)
    assert evidence["strides_beyond_threshold"] == 4
    assert evidence["example_frames"] == [0, 10, 20, 30]


def test_both_legs_reliable_every_stride_is_the_evidence():
    strides = _strides(near=[24.0, 25.0, 26.0, 25.0], far=[30.0, 31.0, 40.0])
    assert _shuffle(None, strides)["strides_beyond_threshold"] == 6
