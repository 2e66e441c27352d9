"""Retest comparison: what changed beyond the minimal detectable change (MDC) between two sessions.

Works on two ``analysis.json`` dicts (read by :func:`runform.io.load_analysis_json`)."""

from __future__ import annotations

#: Which direction is better when the "before" session had the finding (rule id -> metric, sign).
BETTER = {
    "overstride-shank": ("shank_angle_at_contact_deg", -1),
    "overstride-foot-ahead": ("foot_ahead_of_hip_pct_leg", -1),
    "distance-short-hip-extension": ("hip_extension_at_toe_off_deg", +1),
    "distance-shuffle": ("max_thigh_angle_deg", +1),
    "sprint-knee-lift-low": ("max_thigh_angle_deg", +1),
    "low-cadence-distance": ("cadence_steps_per_min", +1),
    "distance-forced-knee-drive": ("hip_extension_at_toe_off_deg", +1),
}
SET_UP_KEYS = ("sampling_rate_hz",)


def compare(before: dict, after: dict) -> dict:
    """Per metric: before, after, change, MDC and a verdict; plus set-up differences."""
    had = {f["id"] for f in (before.get("coaching") or {}).get("findings", [])}
    rows = []
    for metric, b in before["summary"].items():
        a = after["summary"].get(metric)
        if not isinstance(b, dict) or not isinstance(a, dict) or b.get("value") is None or a.get("value") is None:
            continue
        change = a["value"] - b["value"]
        mdc = max(b.get("mdc95") or 0.0, a.get("mdc95") or 0.0)
        verdict = "no real change"
        if mdc and abs(change) > mdc:
            verdict = "increased" if change > 0 else "decreased"
            for rule, (m, sign) in BETTER.items():
                if m == metric and rule in had:
                    verdict = "improved" if change * sign > 0 else "worse"
        rows.append({"metric": metric, "before": b["value"], "after": a["value"], "change": round(change, 4),
                     "mdc95": round(mdc, 4) if mdc else None, "verdict": verdict if mdc else "no MDC (not validated)"})  # fmt: skip
    warnings = []
    fb, fa = before["keypoints"]["sampling_rate_hz"], after["keypoints"]["sampling_rate_hz"]
    if abs(fb - fa) > 1:
        warnings.append(f"frame rate changed ({fb:.0f} -> {fa:.0f} fps): film the retest the same way")
    if before["calibration"]["method"] != after["calibration"]["method"]:
        warnings.append("calibration method changed: lengths are not comparable")
    if (before.get("config") or {}).get("event") != (after.get("config") or {}).get("event"):
        warnings.append("the --event differs between sessions")
    return {"metrics": rows, "warnings": warnings,
            "resolved_findings": sorted(had - {f["id"] for f in (after.get("coaching") or {}).get("findings", [])}),
            "new_findings": sorted({f["id"] for f in (after.get("coaching") or {}).get("findings", [])} - had)}  # fmt: skip
