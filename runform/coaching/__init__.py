"""Event-aware coaching: profile, both coaching positions, findings with evidence, programme."""

from __future__ import annotations

import pandas as pd

from runform.coaching import at_speed, compare, findings, knee_lift, legs, profiles, programme, step_length
from runform.coaching.at_speed import references_at_speed
from runform.coaching.knee_lift import knee_lift_at_speed, speed_note, speed_verdict
from runform.coaching.legs import leg_tracking, mark_unreliable_legs
from runform.coaching.profiles import cite, event_profile, knee_lift_band, load
from runform.coaching.step_length import relative_step_length
from runform.model import Calibration

STEP_METRIC = "step_length_pct_expected"


def coach(summary: dict, strides: pd.DataFrame, event: str | None, weeks: int = 6, far_side: str | None = None,
          calibration: Calibration | None = None, leg_quality: dict | None = None) -> dict:  # fmt: skip
    """The ``coaching`` block of analysis.json (schema in docs/COACHING.md).

    ``calibration`` gives the step length relative to speed and leg length (metres only) and the
    knee lift of runners at the clip's speed (:mod:`runform.coaching.knee_lift`, no scale needed);
    ``leg_quality`` (:func:`leg_tracking`) keeps asymmetry findings to runs with both legs reliable."""
    defaulted = event is None
    event, profile, entry = event_profile(event)
    data = load("profiles")
    step = relative_step_length(summary, calibration)
    judged = {**summary, STEP_METRIC: step} if step is not None else summary
    references = references_at_speed(calibration)
    at_speed = knee_lift_at_speed(references.get("max_thigh_angle_deg"))
    found = findings.evaluate(judged, strides, profile, float(entry.get("knee_lift_bonus_deg", 0)), far_side, leg_quality,
                              references)  # fmt: skip
    positions = {}
    if profile == "distance":
        for key, pos in data["positions"].items():
            positions[key] = {"name": pos["name"], "statement": " ".join(pos["statement"].split()), "source": cite(pos["source"]),
                              "choose": " ".join(pos["choose"].split()), "findings": [f.id for f in found if f.position == key]}  # fmt: skip
    knee = summary.get("max_thigh_angle_deg", {})
    band = knee_lift_band(event)
    verdict = speed_verdict(knee.get("value"), knee.get("uncertainty"), band.get("low"), at_speed)
    return {
        "event": event,
        "event_defaulted": defaulted,
        "profile": profile,
        "profile_label": data["profiles"][profile]["label"],
        "profile_summary": " ".join(data["profiles"][profile]["summary"].split()),
        "event_note": entry.get("note"),
        "knee_lift": {"value_deg": knee.get("value"), "left_deg": (knee.get("left") or {}).get("median"),
                      "right_deg": (knee.get("right") or {}).get("median"), "uncertainty_deg": knee.get("uncertainty"),
                      "reference_deg": {k: v for k, v in band.items() if k != "source"}, "source": cite(band["source"]),
                      "at_speed": at_speed, "speed_verdict": verdict, "speed_note": speed_note(verdict, at_speed)},
        "step_length": _step_block(step, data["profiles"][profile]),
        "legs": leg_quality,
        "consensus_findings": [f.id for f in found if f.position == "consensus"],
        "positions": positions,
        "findings": [f.to_dict() for f in found],
        "programme": programme.build(profile, found, weeks),
    }  # fmt: skip


def _step_block(step: dict | None, profile: dict) -> dict:
    """Step length relative to speed and leg length, or why it is missing; elite race-pace steps as context."""
    spec = profile.get("relative_step_length")
    elite = profile.get("elite_step_length_m")
    block: dict = {"measured": step is not None}
    if step is None:
        block["why_not"] = "no length measured in metres: give --treadmill-speed, --known-distance or --height"
    else:
        block.update({k: step[k] for k in ("step_length_m", "expected_step_length_m", "step_over_leg_length", "leg_length_m",
                                           "speed_mps", "calibration")})  # fmt: skip
        block["pct_of_expected"] = step["value"]
    if spec:
        block["short_below_pct"] = spec["short_below_pct"]
        block["source"] = cite(spec["source"])
    if elite:
        block["elite_race_step_m"] = {"low": elite["low"], "high": elite["high"], "note": elite["note"], "source": cite(elite["source"])}
    return block


__all__ = ["at_speed", "coach", "compare", "findings", "knee_lift", "leg_tracking", "legs", "mark_unreliable_legs", "profiles", "programme",
           "relative_step_length", "step_length"]
