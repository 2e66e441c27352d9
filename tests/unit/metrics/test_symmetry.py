"""Left/right symmetry: its sign says which leg is larger, also for angles below zero, and the
report and terminal show the difference in the metric's own unit."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest
from rich.console import Console

from runform.cli.render import summary_table
from runform.metrics.summary import summarize


def _strides(metric: str, left: list[float], right: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"side": ["left"] * len(left) + ["right"] * len(right), metric: left + right,
                         "foot_strike": "rearfoot"})  # fmt: skip


@pytest.mark.parametrize(("left", "right"), [(-1.42, -2.04), (1.42, 2.04), (-0.5, 1.5)])
def test_the_symmetry_index_has_the_sign_of_left_minus_right(left, right):
    """RBDS003's knee at contact (markers): left -1.42, right -2.04 deg; the left is the larger."""
    out = summarize(_strides("knee_flexion_at_contact_deg", [left] * 5, [right] * 5))
    si = out["symmetry_index_pct"]["knee_flexion_at_contact_deg"]
    assert out["left_minus_right"]["knee_flexion_at_contact_deg"] == pytest.approx(left - right)
    assert si == pytest.approx(100 * (left - right) / (0.5 * (abs(left) + abs(right))), rel=1e-3)
    assert (si > 0) == (left > right)


def test_the_terminal_shows_left_minus_right_in_the_metrics_unit():
    out = summarize(_strides("shank_angle_contact_deg", [0.8] * 5, [2.3] * 5))
    entry = {"value": 1.5, "uncertainty": 3.9, "iqr": 1.0, "n": 10, "left": {"median": 0.8, "n": 5},
             "right": {"median": 2.3, "n": 5}, "left_minus_right": out["left_minus_right"]["shank_angle_contact_deg"],
             "symmetry_index_pct": out["symmetry_index_pct"]["shank_angle_contact_deg"]}  # fmt: skip
    console = Console(record=True, width=160)
    console.print(summary_table(SimpleNamespace(clip_name="clip.mp4", summary={"shank_angle_at_contact_deg": entry})))
    text = console.export_text()
    assert "L − R" in text and "SI %" not in text
    row = next(line for line in text.splitlines() if "-1.5" in line)
    assert "-96" not in row  # the symmetry index of two small angles (-96 %) is not what is shown
