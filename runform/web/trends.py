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
from runform.report.palette import BAND_HEX, SIDE_HEX
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


def _band(metric: str, profile: str, event: str) -> dict | None:
    if metric == "max_thigh_angle_deg":
        band = profiles.knee_lift_band(event)
        return {"low": band.get("low"), "high": band.get("high"), "source": f"knee-lift band for the {event} ({profile} profile)"}
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
                reliable, note = _reliability(entry, side)
                points.append({"session_id": s.id, "date": s.session_date.isoformat(), "value": round(value, 4),
                               "uncertainty": _uncertainty(entry, side), "mdc95": _number(entry.get("mdc95")),
                               "reliable": reliable, "note": note})  # fmt: skip
            series.append({"side": side, "points": points})
        metrics.append({"key": m.key, "label": m.label, "unit": m.unit, "band": _band(m.key, profile, event), "series": series})
    return {"athlete_id": athlete.id, "event": event, "profile": profile, "sessions": len(done), "metrics": metrics}


def _uncertainty(entry: dict, side: str) -> float | None:
    """The point's ±: the leg's own (analysis.json 1.8 on), else the session's headline."""
    own = (entry.get(side) or {}).get("uncertainty") if side != "both" else None
    return _number(own) if own is not None else _number(entry.get("uncertainty"))


def _reliability(entry: dict, side: str) -> tuple[bool, str]:
    """Whether a session's point can be read as the metric (the quality gate's and the leg
    tracking's verdicts, as the report gives them), and what to say beside it."""
    if entry.get("reliable") is False:
        return False, "unreliable for this clip (timing: frame rate or events)"
    if side != "both":
        if (entry.get(side) or {}).get("reliable") is False:
            return False, "far leg, poorly tracked"
        if (entry.get(side) or {}).get("uncertainty") is None:  # analysed before 1.8
            return True, "± is the session's headline uncertainty (both legs)"
        return True, ""
    if entry.get("headline_side"):
        return True, f"{entry['headline_side']} leg only (the other poorly tracked)"
    return True, ""


_COLOURS = {**SIDE_HEX, "both": "#333333"}  # left/right: the report's colours
_BAND_COLOUR = BAND_HEX
_SIDE_WORDS = {"left": "left", "right": "right", "both": "value"}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: The chart's viewBox and plot margins (user units; the SVG scales to its grid cell, text with it).
_W, _H, _PAD_L, _PAD_R, _PAD_T, _PAD_B = 420, 232, 46, 12, 34, 42
_FONT = 12  # tick, date and legend text


def _nice_ticks(lo: float, hi: float, target: int = 4) -> tuple[list[float], int]:
    """Round tick values (1, 2, 2.5 or 5 x 10^k apart) covering [lo, hi], and the decimals they need."""
    raw = (hi - lo) / max(target, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw * 0.999)
    first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
    decimals = max(0, -math.floor(math.log10(step) + 1e-9) + (1 if round(step / power, 6) == 2.5 else 0))
    return [k * step for k in range(first, last + 1)], decimals


def _date_label(iso: str) -> tuple[str, str]:
    """("4 Jan", "2025") of an ISO date."""
    year, month, day = iso.split("-")
    return f"{int(day)} {_MONTHS[int(month) - 1]}", year


def _text_w(text: str, size: float = _FONT) -> float:
    """Width of ``text``: a generous average glyph width (0.6 em), to keep labels apart."""
    return len(text) * size * 0.6


def _capped_bar(cx: float, y0: float, y1: float) -> str:
    """Path data of an uncertainty bar from ``y0`` to ``y1`` at ``cx``, with 6-unit caps."""
    return f"M{cx:.1f} {y0:.1f}V{y1:.1f}M{cx - 3:.1f} {y0:.1f}h6M{cx - 3:.1f} {y1:.1f}h6"


@dataclass(frozen=True)
class _Axes:
    """The plot area and its mapping from (session, value) to SVG coordinates."""

    keys: list[tuple[str, int]]  # (date, session id) of each column, in order
    lo: float
    hi: float
    top: float = _PAD_T
    bottom: float = _H - _PAD_B
    left: float = _PAD_L
    right: float = _W - _PAD_R

    @property
    def step(self) -> float:
        return (self.right - self.left) / len(self.keys)

    def y(self, v: float) -> float:
        return self.top + (self.hi - v) / (self.hi - self.lo) * (self.bottom - self.top)

    def x(self, key: tuple[str, int], side: str = "both") -> float:
        offset = {"left": -5, "right": 5}.get(side, 0) if self.step >= 24 else {"left": -2, "right": 2}.get(side, 0)
        return self.left + self.step * (self.keys.index(key) + 0.5) + offset


def _value_range(points: list[dict], band: dict) -> tuple[float, float]:
    """The y range: every point with its ± bar, the band's edges, a strip beyond an open band's edge."""
    values = [p["value"] + sign * (p["uncertainty"] or 0) for p in points for sign in (-1, 1)]
    values += [v for v in (band.get("low"), band.get("high")) if v is not None]
    lo, hi = min(values), max(values)
    if hi - lo < 1e-9:
        lo, hi = lo - max(abs(lo) * 0.1, 1e-3), hi + max(abs(hi) * 0.1, 1e-3)
    span = hi - lo
    if band.get("high") is not None and band.get("low") is None:  # an open band: show a strip of it beyond its edge
        lo = min(lo, band["high"] - 0.2 * span)
    if band.get("low") is not None and band.get("high") is None:
        hi = max(hi, band["low"] + 0.2 * span)
    return lo - 0.04 * span, hi + 0.04 * span  # points and bars clear of the frame


def _grid(ax: _Axes, ticks: list[float], decimals: int, unit: str) -> list[str]:
    """Grid lines with the y tick values, and the unit above the y axis."""
    parts = [f'<line class="grid" x1="{ax.left}" x2="{ax.right}" y1="{ax.y(t):.1f}" y2="{ax.y(t):.1f}" stroke="#e6e6e6"/>'
             f'<text class="tick" x="{ax.left - 6}" y="{ax.y(t) + 4:.1f}" text-anchor="end" fill="#555">{t:.{decimals}f}</text>'
             for t in ticks]  # fmt: skip
    parts.append(f'<text class="unit" x="2" y="{ax.top - 16}" fill="#555">{escape(unit)}</text>')
    return parts


def _band_marks(ax: _Axes, band: dict) -> list[str]:
    """The reference band shaded, its edges dashed (an open band runs to the frame)."""
    b_top = ax.y(band["high"]) if band.get("high") is not None else ax.top
    b_bottom = ax.y(band["low"]) if band.get("low") is not None else ax.bottom
    parts = [f'<rect class="band" x="{ax.left}" y="{b_top:.1f}" width="{ax.right - ax.left}" height="{max(b_bottom - b_top, 0):.1f}" '
             f'fill="{_BAND_COLOUR}" fill-opacity="0.12"><title>reference band ({escape(band["source"])})</title></rect>']  # fmt: skip
    for edge in (band.get("low"), band.get("high")):
        if edge is not None:
            parts.append(f'<line class="band-edge" x1="{ax.left}" x2="{ax.right}" y1="{ax.y(edge):.1f}" y2="{ax.y(edge):.1f}" '
                         f'stroke="{_BAND_COLOUR}" stroke-opacity="0.55" stroke-dasharray="4 3"/>')  # fmt: skip
    return parts


def _date_axis(ax: _Axes) -> list[str]:
    """Every session gets a tick mark; labels thinned so they never overlap (the latest always
    labelled), the year under the first label and wherever it changes."""
    parts = [f'<line class="axis" x1="{ax.left}" y1="{ax.top}" x2="{ax.left}" y2="{ax.bottom}" stroke="#999"/>'
             f'<line class="axis" x1="{ax.left}" y1="{ax.bottom}" x2="{ax.right}" y2="{ax.bottom}" stroke="#999"/>']  # fmt: skip
    every = max(1, math.ceil((_text_w("22 May") + 10) / ax.step))
    last_year = None
    for k, key in enumerate(ax.keys):
        cx = ax.x(key)
        parts.append(f'<line class="xtick" x1="{cx:.1f}" x2="{cx:.1f}" y1="{ax.bottom}" y2="{ax.bottom + 4}" stroke="#999"/>')
        if (len(ax.keys) - 1 - k) % every:
            continue
        day, year = _date_label(key[0])
        tx = min(max(cx, _text_w(day) / 2 + 1), _W - _text_w(day) / 2 - 1)  # inside the chart at either end
        parts.append(f'<text class="date" x="{tx:.1f}" y="{ax.bottom + 17}" text-anchor="middle" fill="#444">{day}</text>')
        if year != last_year:
            parts.append(f'<text class="year" x="{tx:.1f}" y="{ax.bottom + 31}" text-anchor="middle" fill="#777" font-size="{_FONT - 1}">{year}</text>')
            last_year = year
    return parts


def _series_marks(ax: _Axes, series: dict, unit: str) -> list[str]:
    """One leg's (or the value's) line, ± bars and points; unreliable points hollow, with the reason."""
    colour, side = _COLOURS[series["side"]], series["side"]
    coords = [(ax.x((p["date"], p["session_id"]), side), ax.y(p["value"])) for p in series["points"]]
    parts = []
    if len(coords) > 1:
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-opacity="0.6" stroke-width="1.5" '
                     f'points="{" ".join(f"{a:.1f},{b:.1f}" for a, b in coords)}"/>')  # fmt: skip
    for p, (cx, cy) in zip(series["points"], coords):
        u = p["uncertainty"] or 0
        if u:
            bar = _capped_bar(cx, ax.y(p["value"] + u), ax.y(p["value"] - u))
            parts.append(f'<path class="err" d="{bar}" stroke="{colour}" stroke-width="1.2" fill="none"/>')
        tip = f"{_SIDE_WORDS[side]} {p['date']}: {p['value']:.3g} ± {u:.2g} {unit}" + (f" ({p['note']})" if p.get("note") else "")
        if p.get("reliable", True):
            parts.append(f'<circle class="point {side}" cx="{cx:.1f}" cy="{cy:.1f}" r="4.5" fill="{colour}" stroke="#fff" '
                         f'stroke-width="1.5"><title>{escape(tip)}</title></circle>')  # fmt: skip
        else:  # hollow: not to be read as the metric
            parts.append(f'<circle class="point {side} unreliable" cx="{cx:.1f}" cy="{cy:.1f}" r="4" fill="#fff" stroke="{colour}" '
                         f'stroke-width="2"><title>{escape(tip)}</title></circle>')  # fmt: skip
    return parts


def svg_plot(metric: dict) -> str:
    """One metric's trend: one column per finished session (dated), points with ±uncertainty bars
    (left and right legs side by side when measured per leg), the reference band shaded, round
    y ticks with grid lines, the unit above the y axis and a legend."""
    label = escape(metric["label"])
    points = [p for s in metric["series"] for p in s["points"]]
    head = f'<svg class="trend" role="img" viewBox="0 0 {_W} {_H}" font-size="{_FONT}" '
    if not points:
        return (head + f'aria-label="{label}: no data"><text class="empty" x="{_W / 2}" y="{_H / 2}" text-anchor="middle" '
                f'fill="#666">no finished session yet</text></svg>')  # fmt: skip
    keys = sorted({(p["date"], p["session_id"]) for p in points})
    band = metric.get("band") or {}
    lo, hi = _value_range(points, band)
    ticks, decimals = _nice_ticks(lo, hi)
    ax = _Axes(keys, min(ticks[0], lo), max(ticks[-1], hi))
    parts = [head + f'aria-label="{label} over {len(keys)} session(s)">', *_grid(ax, ticks, decimals, metric.get("unit") or "")]
    if band:
        parts += _band_marks(ax, band)
    parts += _date_axis(ax)
    for series in metric["series"]:
        parts += _series_marks(ax, series, metric["unit"])
    parts += [_legend(metric, bool(band)), "</svg>"]
    return "".join(parts)


def _legend(metric: dict, band: bool) -> str:
    """The legend row above the plot, right-aligned: the legs (or the value), ± uncertainty, the band."""
    sides = [s["side"] for s in metric["series"]]
    items: list[tuple[str, str]] = []  # (glyph kind, text)
    if sides == ["both"]:
        items.append(("both", "value ± uncertainty"))
    else:
        items += [(side, _SIDE_WORDS[side]) for side in sides]
        items.append(("err", "± uncertainty"))
    if band:
        items.append(("band", "reference band"))
    if any(not p.get("reliable", True) for s in metric["series"] for p in s["points"]):
        items.append(("unreliable", "unreliable"))
    glyph_w, gap = 14, 12
    widths = [glyph_w + 4 + _text_w(text) for _, text in items]
    if sum(widths) + gap * (len(items) - 1) > _W - 2 * _PAD_R:  # too long for one row: the short words
        short = {"err": "±", "band": "band", "unreliable": "unreliable"}
        items = [(kind, short.get(kind, text)) for kind, text in items]
        widths = [glyph_w + 4 + _text_w(text) for _, text in items]
    x0, cy = _W - _PAD_R - sum(widths) - gap * (len(items) - 1), 14
    out = ['<g class="legend">']
    for (kind, text), width in zip(items, widths):
        gx = x0 + glyph_w / 2
        if kind == "band":
            out.append(f'<rect x="{x0:.1f}" y="{cy - 6}" width="{glyph_w}" height="11" fill="{_BAND_COLOUR}" fill-opacity="0.2" '
                       f'stroke="{_BAND_COLOUR}" stroke-opacity="0.55" stroke-dasharray="3 2"/>')  # fmt: skip
        elif kind == "err":
            out.append(f'<path d="{_capped_bar(gx, cy - 7, cy + 7)}" stroke="#555" fill="none"/>')
        elif kind == "unreliable":
            out.append(f'<circle cx="{gx:.1f}" cy="{cy}" r="4" fill="#fff" stroke="#555" stroke-width="2"/>')
        else:
            colour = _COLOURS[kind]
            if kind == "both":
                out.append(f'<path d="{_capped_bar(gx, cy - 7, cy + 7)}" stroke="{colour}" fill="none"/>')
            out.append(f'<circle cx="{gx:.1f}" cy="{cy}" r="4.5" fill="{colour}" stroke="#fff" stroke-width="1.5"/>')
        colour = _COLOURS.get(kind, "#444") if kind in ("left", "right") else "#444"
        out.append(f'<text x="{x0 + glyph_w + 4:.1f}" y="{cy + 4}" fill="{colour}">{escape(text)}</text>')
        x0 += width + gap
    out.append("</g>")
    return "".join(out)
