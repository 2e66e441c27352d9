"""Findings: rules from ``data/rules.yaml`` evaluated on an analysis summary.

A rule fires only when the measured value is beyond its threshold by more than the value's
measurement uncertainty (``summary[metric]["uncertainty"]``): no finding inside measurement noise.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from runform.coaching.profiles import cite, load

KNEE_LIFT_METRIC = "max_thigh_angle_deg"


@dataclass
class Finding:
    id: str
    title: str
    severity: str
    position: str  # consensus | a | b
    metric: str
    value: float
    reference: str
    uncertainty: float
    evidence: dict
    source: list[dict[str, str]]
    advice: str
    why: str = ""
    sides: list[str] = field(default_factory=list)
    #: who set the threshold's number: "runform" (its own cut-off) or a source id (rules.yaml ``cutoff``)
    cutoff: str = "runform"

    def to_dict(self) -> dict:
        return asdict(self)


def _entry(summary: dict, metric: str) -> dict | None:
    entry = summary.get(metric)
    if not isinstance(entry, dict) or entry.get("value") is None or entry.get("reliable") is False:
        return None
    return entry


def _unit_of(summary: dict, metric: str) -> str | None:
    """"m" when the metric was measured on a metric scale (its entry says so), else None."""
    entry = summary.get(metric)
    return "m" if isinstance(entry, dict) and entry.get("calibration") not in (None, "none") else None


def _beyond(value: float, uncertainty: float, below: float | None, above: float | None) -> bool:
    if below is not None:
        return value + uncertainty < below
    return above is not None and value - uncertainty > above


def _threshold(rule: dict, key: str, bonus: float) -> float | None:
    value = rule.get(key)
    return None if value is None else float(value) + (bonus if rule["metric"] == KNEE_LIFT_METRIC else 0.0)


def _reference(rule: dict, below: float | None, above: float | None) -> str:
    return f"{rule['metric']} {'>=' if below is not None else '<='} {below if below is not None else above}"


#: What a finding's example frames show: the moment its metric is read.
MOMENTS = {"contact_frame": "contact", "toe_off_frame": "toe-off", "max_thigh_frame": "the highest knee lift"}


def moment_column(metric: str) -> str:
    """The strides-table column with the frame where ``metric`` is read: the highest knee lift for
    the max thigh angle, toe-off for what is read at toe-off or over the swing, else contact."""
    if metric == "max_thigh_angle_deg":
        return "max_thigh_frame"
    if "toe_off" in metric or metric.endswith("_pct_swing") or metric == "peak_swing_knee_flexion_deg":
        return "toe_off_frame"
    return "contact_frame"


def _evidence(strides: pd.DataFrame, metric: str, below: float | None, above: float | None, entry: dict) -> dict:
    evidence = {"n_strides": entry.get("n"), "median": entry.get("median"), "iqr": entry.get("iqr"),
                "left": (entry.get("left") or {}).get("median"), "right": (entry.get("right") or {}).get("median")}  # fmt: skip
    if metric in strides.columns:
        side = entry.get("headline_side")  # one reliable leg: the headline and its evidence are that leg's strides
        counted = strides[strides["side"] == side] if side and "side" in strides.columns else strides
        values = counted[metric].to_numpy(float)
        hit = values < below if below is not None else values > (above if above is not None else np.inf)
        evidence["strides_beyond_threshold"] = int(np.nansum(hit))
        column = moment_column(metric)
        column = column if column in counted.columns else "contact_frame"
        evidence["example_frames"] = [int(f) for f in counted.loc[hit, column].head(8) if f >= 0]
        evidence["frames_show"] = MOMENTS[column]
    return evidence


def _condition_rule(rule: dict, summary: dict, strides: pd.DataFrame, bonus: float,
                    at_speed: dict[str, dict] | None = None) -> Finding | None:  # fmt: skip
    entry = _entry(summary, rule["metric"])
    if entry is None:
        return None
    band_low, band_high = _threshold(rule, "below", bonus), _threshold(rule, "above", bonus)
    below, above = _speed_limits(rule, band_low, band_high, (at_speed or {}).get(rule["metric"]))
    value, unc = float(entry["value"]), float(entry.get("uncertainty") or 0.0)
    if not _beyond(value, unc, below, above):
        return None
    also = rule.get("also")
    if also:
        other = _entry(summary, also["metric"])
        if other is None and not also.get("optional"):
            return None
        if other is not None and not _beyond(float(other["value"]), float(other.get("uncertainty") or 0.0),
                                             also.get("below"), also.get("above")):  # fmt: skip
            return None
    reference = _reference(rule, below, above)
    ref = (at_speed or {}).get(rule["metric"])
    if ref is not None and (below != band_low or above != band_high):
        edge, cut_off = ("low", f"the profile's band starts at {band_low:g}") if below != band_low else ("high", f"the rule's cut-off is {band_high:g}")
        reference += f" (the {edge} edge of the {ref['band_content']:.0%} of recreational runners at this speed; {cut_off})"
    if also:  # the range that is fine: either part within it (the finding needs both beyond)
        reference += f" or {also['metric']} {'>=' if 'below' in also else '<='} {also.get('below', also.get('above'))}"
    return Finding(rule["id"], rule["title"], rule["severity"], rule["position"], rule["metric"], round(value, 3), reference,
                   round(unc, 3), _evidence(strides, rule["metric"], below, above, entry), cite(rule["source"]),
                   rule["advice"], rule.get("why", ""), cutoff=rule.get("cutoff", "runform"))  # fmt: skip


def _speed_limits(rule: dict, below: float | None, above: float | None, ref: dict | None) -> tuple[float | None, float | None]:
    """The limits a ``speed_reference`` rule judges by: beyond its own cut-off **and** beyond the
    edge of recreational runners at the clip's speed (``ref``: :func:`runform.coaching.at_speed.reference_at_speed`),
    whichever is further; the rule's own cut-off without a reference."""
    if not rule.get("speed_reference") or ref is None:
        return below, above
    if below is not None and ref["low"] < below:
        below = ref["low"]
    if above is not None and ref["high"] > above:
        above = ref["high"]
    return below, above


def _asymmetry_rule(rule: dict, summary: dict, far_side: str | None, legs: dict | None) -> list[Finding]:
    """One finding per metric; none at all unless both legs were tracked reliably (the far leg's
    numbers would otherwise describe the tracking, not the runner)."""
    if legs is not None and not all(legs[side]["reliable"] for side in ("left", "right")):
        return []
    found = []
    for metric in rule["symmetry_metrics"]:
        entry = _entry(summary, metric)
        if entry is None or entry.get("symmetry_index_pct") is None or entry.get("left_minus_right") is None:
            continue
        si, diff = float(entry["symmetry_index_pct"]), float(entry["left_minus_right"])
        # beyond the retest noise (MDC95), and beyond what the method's per-clip error could make of the
        # difference: the two legs' errors need not be alike (RBDS002's shank angle at contact, both legs
        # 6-11 deg steep from early contacts: left - right -3.9 deg, markers +1.9 deg)
        mdc = float(entry.get("mdc95") or 0.0)
        noise = max(mdc, math.sqrt(2) * float(entry.get("uncertainty") or 0.0))
        absolute = rule.get("symmetry_above_abs", {}).get(metric)
        beyond = abs(diff) > absolute if absolute is not None else abs(si) > rule["symmetry_above_pct"]
        if beyond and abs(diff) > noise:
            weaker = "right" if (diff > 0) == (metric not in rule.get("higher_is_worse", ())) else "left"
            mean = abs(0.5 * (entry["left"]["median"] + entry["right"]["median"])) or 1.0
            if absolute is not None:  # judged on the difference: reported as the difference
                shown, value, unc, test = "left - right", round(diff, 2), round(noise, 2), f"|left - right| <= {absolute:g}"
            else:  # the +- shown is the 95 % noise the difference was tested against, in the value's unit
                shown, value, unc = "symmetry index, %", round(si, 1), round(100 * noise / mean, 1)
                test = f"|symmetry index| <= {rule['symmetry_above_pct']} %"
            advice = rule["advice"]
            if far_side is not None:
                advice += (f" The {far_side} leg was the far leg in this clip (partly hidden, tracked less well): "
                           "film the other side too before acting on it.")  # fmt: skip
            found.append(Finding(
                f"{rule['id']}-{metric}", f"{rule['title']}: {metric} ({shown})", rule["severity"],
                rule["position"], metric, value, f"{test} and |left - right| > max(MDC95, 1.41 x the 95 % uncertainty) ({noise:.3g})", unc,
                {"left": entry["left"]["median"], "right": entry["right"]["median"], "left_minus_right": diff,
                 "mdc95": mdc, "noise": noise, "n_left": entry["left"]["n"], "n_right": entry["right"]["n"], "far_leg": far_side},
                cite(rule["source"]), advice, rule.get("why", ""), sides=[weaker], cutoff=rule.get("cutoff", "runform"),
            ))  # fmt: skip
    return found


def evaluate(summary: dict, strides: pd.DataFrame, profile: str, knee_lift_bonus_deg: float = 0.0,
             far_side: str | None = None, legs: dict | None = None, at_speed: dict[str, dict] | None = None) -> list[Finding]:  # fmt: skip
    """All findings for a summary under one profile (sprint or distance); ``far_side`` is the leg
    away from the camera, named in asymmetry advice; ``legs`` (:func:`runform.coaching.legs.leg_tracking`)
    says which legs were tracked reliably. Rules marked ``needs_metres`` see only metric lengths;
    rules marked ``speed_reference`` fire only beyond both their cut-off and the edge of runners at
    the clip's speed (``at_speed``: metric -> :func:`runform.coaching.at_speed.reference_at_speed`)."""
    findings: list[Finding] = []
    for rule in load("rules")["rules"]:
        if profile not in rule["profiles"]:
            continue
        if "symmetry_metrics" in rule:
            findings += _asymmetry_rule(rule, summary, far_side, legs)
        elif not (rule.get("needs_metres") and _unit_of(summary, rule["metric"]) != "m"):
            finding = _condition_rule(rule, summary, strides, knee_lift_bonus_deg, at_speed)
            if finding is not None:
                findings.append(finding)
    order = {"major": 0, "moderate": 1, "minor": 2}
    return sorted(findings, key=lambda f: order.get(f.severity, 3))
