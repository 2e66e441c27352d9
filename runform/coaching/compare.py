"""Retest comparison: what changed beyond the minimal detectable change (MDC) between two sessions.

Works on two ``analysis.json`` dicts (read by :func:`runform.io.load_analysis_json`). Lengths are
compared only when both sessions measured them in metres; a finding counts as resolved only when
the retest measured its metric.
"""

from __future__ import annotations

import math
import re

from runform.model import leg_lengths_per_s

__all__ = ["BETTER", "METRIC_NAMES", "compare", "finding_list", "metric_name", "readable_finding", "session_label"]

#: Which direction is better when the "before" session had the finding: rule id -> (metric, sign)
#: for each metric the finding is judged on (a two-part rule: both).
BETTER = {
    "overstride-shank": (("shank_angle_at_contact_deg", -1),),
    "overstride-foot-ahead": (("foot_ahead_of_hip_pct_leg", -1),),
    "distance-short-hip-extension": (("hip_extension_at_toe_off_deg", +1),),
    "distance-shuffle": (("max_thigh_angle_deg", +1),),
    "distance-short-step": (("step_length_m", +1),),
    "sprint-knee-lift-low": (("max_thigh_angle_deg", +1),),
    "low-cadence-distance": (("cadence_steps_per_min", +1),),
    "distance-forced-knee-drive": (("max_thigh_angle_deg", -1), ("hip_extension_at_toe_off_deg", +1)),
}
#: Readable names (with units) for the comparison table.
METRIC_NAMES = {
    "stride_time_s": "Stride time (s)", "step_time_s": "Step time (s)", "contact_time_s": "Contact time (s)",
    "swing_time_s": "Swing time (s)", "flight_time_s": "Flight time (s)", "duty_factor": "Duty factor",
    "cadence_steps_per_min": "Cadence (steps/min)", "stride_length_m": "Stride length, two steps (m)",
    "step_length_m": "Step length (m)", "max_thigh_angle_deg": "Knee lift, max thigh angle (deg)",
    "hip_extension_at_toe_off_deg": "Hip extension at toe-off (deg)",
    "peak_swing_knee_flexion_deg": "Heel recovery, peak swing knee flexion (deg)",
    "knee_flexion_at_contact_deg": "Knee flexion at contact (deg)", "shank_angle_at_contact_deg": "Shank angle at contact (deg)",
    "foot_ahead_of_hip_cm": "Foot ahead of hip at contact (cm)", "foot_ahead_of_hip_pct_leg": "Foot ahead of hip at contact (% leg)",
    "foot_strike_angle_deg": "Foot strike angle (deg)", "vertical_oscillation_cm": "Vertical oscillation (cm)",
    "vertical_ratio_pct": "Vertical ratio (%)", "trunk_lean_deg": "Trunk lean (deg)",
    "thigh_peak_velocity_pct_swing": "Thigh peak speed (% of swing)", "foot_descent_speed_mps": "Foot descent speed (m/s)",
}  # fmt: skip
#: Metrics that hold a length (or need one): compared only when both sessions are in metres. (The
#: vertical ratio, oscillation over step length, is a ratio of two lengths of one scale: compared.)
LENGTH_METRICS = ("stride_length_m", "step_length_m", "foot_ahead_of_hip_cm", "vertical_oscillation_cm",
                  "foot_descent_speed_mps")  # fmt: skip


def metric_name(metric: str) -> str:
    return METRIC_NAMES.get(metric, metric.replace("_", " "))


def readable_finding(finding: dict) -> dict:
    """A finding with its metric's label for people (``label``) and its numbers rounded to what they
    can show (``value_text``, ``uncertainty_text``, ``reference_text``: "Knee lift, max thigh angle
    (deg) >= 60.0" rather than "max_thigh_angle_deg >= 60.0")."""
    metric = finding.get("metric") or ""
    digits = 3 if metric.endswith("_s") or metric == "duty_factor" else 2 if metric.endswith("_m") else 1
    label = metric_name(metric) if metric else ""
    if "symmetry index" in str(finding.get("title") or ""):  # an asymmetry finding's value is the index, in %
        label, digits = f"{label.split(' (')[0]}: symmetry index (%)", 1

    def text(value: object) -> str:
        return f"{value:.{digits}f}" if isinstance(value, (int, float)) and math.isfinite(value) else "–"

    reference = str(finding.get("reference") or "")
    for key in sorted(METRIC_NAMES, key=len, reverse=True):  # every metric named (a rule's second part too)
        reference = reference.replace(key, metric_name(key))
    if finding.get("cutoff") == "runform":  # REFERENCES.md: a number neither source gives is said to be runform's
        reference += "; runform's cut-off"
    return {**finding, "label": label, "value_text": text(finding.get("value")),
            "uncertainty_text": text(finding.get("uncertainty")), "reference_text": reference}  # fmt: skip


def finding_list(ids: list[str], titles: dict[str, str]) -> str:
    """"Knee lift below the sprint band (sprint-knee-lift-low), ..." (a comparison's ``finding_titles``)."""
    return ", ".join(f"{titles[i]} ({i})" if titles.get(i, i) != i else i for i in ids)


def session_label(data: dict, fallback: str) -> str:
    """"<runner name>, <date>" or "<clip name>, <date>" for a session."""
    config = data.get("config") or {}
    clip = config.get("clip_name") or (data.get("source") or fallback).replace("\\", "/").rsplit("/", 1)[-1]
    who = config.get("runner_name") or clip
    date = str(data.get("created") or "")[:10]
    return f"{who}, {date}" if date else who


def _metric(data: dict) -> bool:
    return (data.get("calibration") or {}).get("length_unit") == "m"


def _event(data: dict) -> str | None:
    """The event a session was judged against (older files store None for the default)."""
    return (data.get("coaching") or {}).get("event") or (data.get("config") or {}).get("event")


def _legs(entry: dict) -> str:
    return f"the {entry['headline_side']} leg" if entry.get("headline_side") else "both legs"


def _row(metric: str, b: dict, a: dict, had: set[str], speed_changed: bool) -> dict:
    """One metric's change and verdict. A change beyond the MDC is "improved" / "worse" only when
    the first session had a finding on it, the speed was the same and the same leg was measured;
    with another speed it is only "increased" / "decreased" (speed alone moves most metrics). A
    headline from the left leg in one session and the right in the other is not comparable; one
    leg's headline against both legs' compares that leg."""
    before, after = _same_leg(b, a)
    change = after - before
    mdc = max(b.get("mdc95") or 0.0, a.get("mdc95") or 0.0)
    verdict = "no real change"
    if _other_leg(b, a):
        verdict = f"not comparable: {_legs(b)} before, {_legs(a)} after"
    elif not mdc:
        verdict = "no MDC (not validated)"
    elif abs(change) > mdc:
        verdict = "increased" if change > 0 else "decreased"
        if speed_changed:
            verdict += " (the speed changed too)"
        else:
            for rule in sorted(had & BETTER.keys()):
                for m, sign in BETTER[rule]:
                    if m == metric:
                        verdict = "improved" if change * sign > 0 else "worse"
    return {"metric": metric, "name": metric_name(metric), "before": before, "after": after,
            "change": round(change, 4), "mdc95": round(mdc, 4) if mdc else None, "verdict": verdict}  # fmt: skip


def _other_leg(b: dict, a: dict) -> bool:
    """The two headlines come from different legs (one session's left, the other's right)."""
    sb, sa = b.get("headline_side"), a.get("headline_side")
    return sb is not None and sa is not None and sb != sa


def _same_leg(b: dict, a: dict) -> tuple[float, float]:
    """(before, after) values of one leg: when one session's headline is a single reliable leg and
    the other pooled both legs, that leg's own median in both; else the headlines."""
    side = b.get("headline_side") or a.get("headline_side")
    if side and b.get("headline_side") != a.get("headline_side") and not _other_leg(b, a):
        vb, va = (b.get(side) or {}).get("median"), (a.get(side) or {}).get("median")
        if vb is not None and va is not None:
            return vb, va
    return b["value"], a["value"]


#: Running speeds of two sessions further apart than this share are a different test (docs/COACHING.md,
#: "Programme": speed alone changes knee lift by about 5.6 deg per leg length per second).
SPEED_CHANGE_FRAC = 0.05


def _warnings(before: dict, after: dict) -> list[str]:
    warnings = []
    fb, fa = (((d.get("video") or {}).get("picture_fps") or d["keypoints"]["sampling_rate_hz"]) for d in (before, after))
    if fb and fa and abs(fb - fa) > 1:
        warnings.append(f"frame rate changed ({fb:.0f} -> {fa:.0f} fps): film the retest the same way")
    mb, ma = before["calibration"]["method"], after["calibration"]["method"]
    if mb != ma:
        warnings.append(f"scale changed ({mb} -> {ma}): lengths are not compared; give the same scale option both times")
    eb, ea = _event(before), _event(after)
    if eb != ea:
        warnings.append(f"event changed ({eb or 'none'} -> {ea or 'none'}): the findings were judged against different bands")
    speed = _speed_change(before, after)
    if speed:
        scale_note = " (without a scale, another runner's leg length reads as a speed change too)" if "leg lengths" in speed else ""
        warnings.append(f"running speed changed ({speed}): speed alone changes knee lift, cadence, contact time and "
                        "stride length, so no change is called improved or worse and no finding resolved; film the "
                        f"retest at the same speed (the same belt speed){scale_note}")  # fmt: skip
    legs = _leg_lengths_m(before, after)
    if legs and abs(legs[1] - legs[0]) > LEG_CHANGE_FRAC * legs[0]:
        warnings.append(f"leg length changed ({legs[0]:.2f} -> {legs[1]:.2f} m): a different runner, or a different "
                        "--height; compare sessions of one runner")  # fmt: skip
    names = [(d.get("config") or {}).get("runner_name") for d in (before, after)]
    if all(names) and names[0] != names[1]:
        warnings.append(f"different runners ({names[0]} -> {names[1]}): a retest compares one runner with themselves")
    for metric in _LEG_ANGLES:
        b, a = (before["summary"].get(metric) or {}), (after["summary"].get(metric) or {})
        if b.get("value") is not None and a.get("value") is not None and _other_leg(b, a):
            warnings.append(f"the leg measured changed ({_legs(b)} -> {_legs(a)}): leg angles are not compared; "
                            "film the retest from the same side as the first clip")  # fmt: skip
            break
    vb, va = str(before.get("schema_version") or "?"), str(after.get("schema_version") or "?")
    if vb != va:
        speed_fix = "; 1.4 reads the running speed, and with it every length, 5-9 % differently" if min(vb, va) < "1.4" <= max(vb, va) else ""
        warnings.append(f"analysed by different runform versions (analysis.json {vb} -> {va}{speed_fix}): "
                        "analyse both clips again with this version before comparing")  # fmt: skip
    pb, pa = before["keypoints"].get("source"), after["keypoints"].get("source")
    if pb and pa and _pose_model(pb) != _pose_model(pa):
        warnings.append(f"keypoints came from different pose settings ({pb} -> {pa}, e.g. --fast once): "
                        "changes may be the method's, not the runner's; analyse both clips the same way")  # fmt: skip
    return warnings


#: Leg lengths (metres) of two sessions further apart than this share belong to different runners
#: or scales (a runner's thigh + shank read from the pose repeats within about 3 %).
LEG_CHANGE_FRAC = 0.05
#: Leg angles whose headline may be one leg's (``headline_side``): a change of that leg is a new view.
_LEG_ANGLES = ("max_thigh_angle_deg", "hip_extension_at_toe_off_deg", "shank_angle_at_contact_deg")


def _speed_change(before: dict, after: dict) -> str | None:
    """"3.50 -> 4.50 m/s" when the running speed changed by more than SPEED_CHANGE_FRAC, else None."""
    (sb, sa), unit = _speeds(before, after)
    return f"{sb:.2f} -> {sa:.2f} {unit}" if sb and sa and abs(sa - sb) > SPEED_CHANGE_FRAC * sb else None


def _leg_lengths_m(before: dict, after: dict) -> tuple[float, float] | None:
    """Both sessions' leg lengths in metres, when both have a scale."""
    out = []
    for data in (before, after):
        cal = data["calibration"]
        px, per_m = cal.get("leg_length_px"), cal.get("px_per_m")
        if not (px and per_m and cal.get("length_unit") == "m"):
            return None
        out.append(px / per_m)
    return out[0], out[1]


def _speeds(before: dict, after: dict) -> tuple[tuple[float | None, float | None], str]:
    """The two sessions' running speeds: in m/s when both have a scale, else in leg lengths per
    second (ground speed / leg length, both in pixels: no scale needed)."""
    metres = [d["calibration"].get("running_speed_mps") for d in (before, after)]
    if all(metres):
        return (metres[0], metres[1]), "m/s"
    relative = [leg_lengths_per_s(d["calibration"].get("running_speed_px_s"), d["calibration"].get("leg_length_px"))
                for d in (before, after)]  # fmt: skip
    return (relative[0], relative[1]), "leg lengths/s"


def _pose_model(source: str) -> str:
    """The pose model and its settings in a keypoints source (``mediapipe-blazepose(model_complexity=1, 2
    processes)``), without the number of processes, which does not change the landmarks' kind, and
    without file names (``csv:monday.csv``, ``virtual-camera(mocap-joints:trial1.csv, 60 fps, right)``)."""
    source = re.sub(r",?\s*\d+ processes", "", source)
    source = re.sub(r"^csv:.*$", "csv:", source)  # a keypoint file: any name, "run (1).csv" too
    return re.sub(r"^virtual-camera\(.*?(, [\d.]+ fps)", r"virtual-camera(\1", source)  # motion capture: its file


def _measured(metric: str | None, measured_after: set[str], lengths_ok: bool) -> bool:
    """Did the retest measure what the finding was about (so that its absence means something)?"""
    if metric == "step_length_pct_expected":  # derived in coaching from metric lengths
        return lengths_ok
    return metric is None or metric in measured_after


def compare(before: dict, after: dict) -> dict:
    """Per metric: before, after, change, MDC and a verdict; plus what differs in the set-up."""
    had = {f["id"] for f in (before.get("coaching") or {}).get("findings", [])}
    now = {f["id"] for f in (after.get("coaching") or {}).get("findings", [])}
    lengths_ok = _metric(before) and _metric(after) and before["calibration"]["method"] == after["calibration"]["method"]
    speed_changed = _speed_change(before, after) is not None
    rows = []
    for metric, b in before["summary"].items():
        a = after["summary"].get(metric)
        if metric.endswith(("_px", "_px_s")) or (metric in LENGTH_METRICS and not lengths_ok):
            continue
        if not isinstance(b, dict) or not isinstance(a, dict) or b.get("value") is None or a.get("value") is None:
            continue
        rows.append(_row(metric, b, a, had, speed_changed))
    measured_after = {m for m, e in after["summary"].items() if isinstance(e, dict) and e.get("value") is not None}
    findings = [*(before.get("coaching") or {}).get("findings", []), *(after.get("coaching") or {}).get("findings", [])]
    metric_of = {f["id"]: f.get("metric") for f in (before.get("coaching") or {}).get("findings", [])}
    gone = had - now
    resolved = set() if speed_changed else {f for f in gone if _measured(metric_of.get(f), measured_after, lengths_ok)}
    return {"metrics": rows, "warnings": _warnings(before, after),
            "before_label": session_label(before, "before"), "after_label": session_label(after, "after"),
            "resolved_findings": sorted(resolved), "not_comparable_findings": sorted(gone - resolved),
            "not_comparable_reason": "the running speed changed" if speed_changed else "not measured in the retest",
            "new_findings": sorted(now - had),
            "finding_titles": {f["id"]: f.get("title") or f["id"] for f in findings}}  # fmt: skip
