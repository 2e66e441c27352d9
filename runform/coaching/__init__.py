"""Event-aware coaching: profile, both coaching positions, findings with evidence, programme."""

from __future__ import annotations

import pandas as pd

from runform.coaching import compare, findings, profiles, programme
from runform.coaching.profiles import cite, event_profile, load


def coach(summary: dict, strides: pd.DataFrame, event: str | None, weeks: int = 6, far_side: str | None = None) -> dict:
    """The ``coaching`` block of analysis.json (schema in docs/COACHING.md)."""
    event, profile, entry = event_profile(event)
    data = load("profiles")
    found = findings.evaluate(summary, strides, profile, float(entry.get("knee_lift_bonus_deg", 0)), far_side)
    positions = {}
    if profile == "distance":
        for key, pos in data["positions"].items():
            positions[key] = {"name": pos["name"], "statement": " ".join(pos["statement"].split()), "source": cite(pos["source"]),
                              "findings": [f.id for f in found if f.position == key]}  # fmt: skip
    knee = summary.get("max_thigh_angle_deg", {})
    band = data["profiles"][profile]["knee_lift_deg"]
    return {
        "event": event,
        "event_defaulted": event == data["default_event"] and entry is data["events"][data["default_event"]],
        "profile": profile,
        "profile_label": data["profiles"][profile]["label"],
        "profile_summary": " ".join(data["profiles"][profile]["summary"].split()),
        "event_note": entry.get("note"),
        "knee_lift": {"value_deg": knee.get("value"), "left_deg": (knee.get("left") or {}).get("median"),
                      "right_deg": (knee.get("right") or {}).get("median"), "uncertainty_deg": knee.get("uncertainty"),
                      "reference_deg": {k: v for k, v in band.items() if k != "source"}, "source": cite(band["source"])},
        "consensus_findings": [f.id for f in found if f.position == "consensus"],
        "positions": positions,
        "findings": [f.to_dict() for f in found],
        "programme": programme.build(profile, found, weeks),
    }  # fmt: skip


__all__ = ["coach", "compare", "findings", "profiles", "programme"]
