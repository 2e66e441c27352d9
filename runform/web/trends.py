"""An athlete's metrics across sessions (finished analyses only) with uncertainty and the event's
reference band, as JSON and as server-drawn SVG (no JavaScript, no network).

Bands come from the coaching data: the knee-lift band of the event's profile (profiles.yaml) and,
for the other metrics, the thresholds of the findings that apply to the profile (rules.yaml):
``below: x`` gives the band's low edge, ``above: x`` its high edge.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from runform.coaching import profiles
from runform.web.models import Athlete

__all__ = ["TREND_METRICS", "TrendMetric", "svg_plot", "trend"]


@dataclass(frozen=True)
class TrendMetric:
    key: str  # analysis.json summary key
    label: str
    unit: str
    per_side: bool


TREND_METRICS = (
    TrendMetric("max_thigh_angle_deg", "Knee lift (max thigh angle)", "deg", True),
    TrendMetric("shank_angle_at_contact_deg", "Overstride: shank angle at contact", "deg", False),
    TrendMetric("foot_ahead_of_hip_pct_leg", "Overstride: foot ahead of hip", "% leg", False),
    TrendMetric("cadence_steps_per_min", "Cadence", "steps/min", False),
    TrendMetric("contact_time_s", "Contact time", "s", False),
)


def _band(metric: str, profile: str) -> dict | None:
    if metric == "max_thigh_angle_deg":
        band = profiles.load("profiles")["profiles"][profile]["knee_lift_deg"]
        return {"low": band.get("low"), "high": band.get("high"), "source": "knee-lift band of the " + profile + " profile"}
    low = high = None
    for rule in profiles.load("rules")["rules"]:
        if rule.get("metric") != metric or profile not in rule.get("profiles", []):
            continue
        if "below" in rule:
            low = rule["below"] if low is None else max(low, rule["below"])
        if "above" in rule:
            high = rule["above"] if high is None else min(high, rule["above"])
    if low is None and high is None:
        return None
    return {"low": low, "high": high, "source": "finding thresholds of the " + profile + " profile"}


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None


def trend(athlete: Athlete) -> dict:
    """Per metric: the band and one series per side (or one for both), one point per done session."""
    event, profile, _ = profiles.event_profile(athlete.event)
    done = [s for s in sorted(athlete.sessions, key=lambda s: (s.session_date, s.id)) if s.status == "done" and s.summary]
    metrics = []
    for m in TREND_METRICS:
        sides = ("left", "right") if m.per_side else ("both",)
        series = []
        for side in sides:
            points = []
            for s in done:
                entry = (s.summary or {}).get("summary", {}).get(m.key)
                if not isinstance(entry, dict):
                    continue
                value = _number(entry.get("value") if side == "both" else (entry.get(side) or {}).get("median"))
                if value is None:
                    continue
                points.append({"session_id": s.id, "date": s.session_date.isoformat(), "value": round(value, 4),
                               "uncertainty": _number(entry.get("uncertainty")), "mdc95": _number(entry.get("mdc95"))})  # fmt: skip
            series.append({"side": side, "points": points})
        metrics.append({"key": m.key, "label": m.label, "unit": m.unit, "band": _band(m.key, profile), "series": series})
    return {"athlete_id": athlete.id, "event": event, "profile": profile, "sessions": len(done), "metrics": metrics}


_COLOURS = {"left": "#1f77b4", "right": "#d62728", "both": "#333333"}
_W, _H, _PAD_L, _PAD_R, _PAD_T, _PAD_B = 560, 200, 48, 12, 12, 34


def svg_plot(metric: dict) -> str:
    """One metric's trend: points with ±uncertainty bars, the reference band shaded."""
    points = [(p, s["side"]) for s in metric["series"] for p in s["points"]]
    dates = sorted({p["date"] + f"#{p['session_id']}" for p, _ in points})
    if not points:
        return f'<svg class="trend" role="img" aria-label="{escape(metric["label"])}: no data" viewBox="0 0 {_W} 40"><text x="8" y="24">no finished session yet</text></svg>'
    values = [p["value"] + sign * (p["uncertainty"] or 0) for p, _ in points for sign in (-1, 1)]
    band = metric.get("band") or {}
    values += [v for v in (band.get("low"), band.get("high")) if v is not None]
    lo, hi = min(values), max(values)
    span = (hi - lo) or max(abs(hi), 1.0) * 0.1
    lo, hi = lo - span * 0.1, hi + span * 0.1

    def y(v: float) -> float:
        return _PAD_T + (hi - v) / (hi - lo) * (_H - _PAD_T - _PAD_B)

    def x(key: str, side: str) -> float:
        step = (_W - _PAD_L - _PAD_R) / max(len(dates), 1)
        offset = {"left": -4, "right": 4}.get(side, 0)
        return _PAD_L + step * (dates.index(key) + 0.5) + offset

    parts = [f'<svg class="trend" role="img" aria-label="{escape(metric["label"])}" viewBox="0 0 {_W} {_H}">']
    if band:
        top = y(band["high"]) if band.get("high") is not None else _PAD_T
        bottom = y(band["low"]) if band.get("low") is not None else _H - _PAD_B
        parts.append(f'<rect class="band" x="{_PAD_L}" y="{top:.1f}" width="{_W - _PAD_L - _PAD_R}" height="{max(bottom - top, 0):.1f}" fill="#2ca02c" fill-opacity="0.12"><title>reference band ({escape(band["source"])})</title></rect>')
    for tick in (lo + (hi - lo) * f for f in (0.1, 0.5, 0.9)):
        parts.append(f'<text x="{_PAD_L - 4}" y="{y(tick) + 4:.1f}" text-anchor="end" font-size="10">{tick:.3g}</text>')
    parts.append(f'<line x1="{_PAD_L}" y1="{_H - _PAD_B}" x2="{_W - _PAD_R}" y2="{_H - _PAD_B}" stroke="#999"/>')
    for key in dates:
        parts.append(f'<text x="{x(key, "both"):.1f}" y="{_H - _PAD_B + 14}" text-anchor="middle" font-size="10">{escape(key.split("#")[0])}</text>')
    for series in metric["series"]:
        colour, side = _COLOURS[series["side"]], series["side"]
        coords = [(x(p["date"] + f"#{p['session_id']}", side), y(p["value"])) for p in series["points"]]
        if len(coords) > 1:
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{" ".join(f"{a:.1f},{b:.1f}" for a, b in coords)}"/>')
        for p, (cx, cy) in zip(series["points"], coords):
            u = p["uncertainty"] or 0
            if u:
                parts.append(f'<line class="err" x1="{cx:.1f}" x2="{cx:.1f}" y1="{y(p["value"] + u):.1f}" y2="{y(p["value"] - u):.1f}" stroke="{colour}"/>')
            label = f"{side} {p['date']}: {p['value']:.3g} ± {u:.2g} {metric['unit']}"
            parts.append(f'<circle class="point" cx="{cx:.1f}" cy="{cy:.1f}" r="4" fill="{colour}"><title>{escape(label)}</title></circle>')
    if len(metric["series"]) > 1:
        for i, series in enumerate(metric["series"]):
            parts.append(f'<text x="{_W - _PAD_R - 60 + i * 30}" y="{_PAD_T + 10}" font-size="11" fill="{_COLOURS[series["side"]]}">{series["side"][0].upper()}</text>')
    parts.append("</svg>")
    return "".join(parts)
