"""All plots of the report (Matplotlib -> inline SVG). Left is always blue, right always orange."""

from __future__ import annotations

import functools
import io
import re
import threading
from collections.abc import Callable
from typing import ParamSpec

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from runform.kinematics import angles
from runform.model import Keypoints
from runform.report.palette import BAND_HEX as BAND_COLOUR
from runform.report.palette import SIDE_HEX as SIDE_COLOURS

P = ParamSpec("P")

#: The report's plot style, applied per figure (``matplotlib.rc_context``): the host process's
#: backend and rc settings are left alone, and no pyplot state is shared between threads (the web
#: compare page draws plots in request threads).
STYLE = {"font.size": 9, "axes.spines.top": False, "axes.spines.right": False, "svg.fonttype": "none"}
#: ``rc_context`` sets and restores Matplotlib's one rcParams dict: two plots drawn at once in
#: threads would restore each other's settings, so runform draws one plot at a time.
_STYLE_LOCK = threading.Lock()


def _styled(draw: Callable[P, str]) -> Callable[P, str]:
    """Run a plot function (figure made and saved) under :data:`STYLE`."""

    @functools.wraps(draw)
    def styled(*args: P.args, **kwargs: P.kwargs) -> str:
        with _STYLE_LOCK, matplotlib.rc_context(STYLE):
            return draw(*args, **kwargs)

    return styled


def _axes(figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    """A plain Figure with one axes (no pyplot: nothing registered in a global figure manager)."""
    fig = Figure(figsize=figsize)
    return fig, fig.subplots()


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)  # no RDF/creator links
    return text[text.index("<svg") :]


@_styled
def cycle_plot(curves: dict, name: str, ylabel: str, band: tuple[float, float] | None = None,
               compare: dict | None = None, band_label: str = "") -> str:  # fmt: skip
    """Mean +/- SD curve per side vs % gait cycle; optional reference band and 'before' curves."""
    fig, ax = _axes((5.2, 3.0))
    pct = np.linspace(0, 100, 101)
    if band is not None:
        ax.axhspan(band[0], band[1], color=BAND_COLOUR, alpha=0.12, label=band_label or "reference band")
    for side, colour in SIDE_COLOURS.items():
        entry = curves.get(name, {}).get(side)
        if compare is not None and compare.get(name, {}).get(side):
            before = compare[name][side]
            ax.plot(pct, before["mean"], color=colour, lw=1.2, ls="--", alpha=0.8, label=f"{side} before")
        if not entry:
            continue
        mean, sd = np.asarray(entry["mean"], float), np.asarray(entry["sd"], float)
        ax.fill_between(pct, mean - sd, mean + sd, color=colour, alpha=0.2, lw=0)
        ax.plot(pct, mean, color=colour, lw=2, label=f"{side} (n={entry['n']})" + (" after" if compare else ""))
        ax.axvline(entry["toe_off_pct"], color=colour, ls=":", lw=1)
    ax.set_xlabel("gait cycle (% from contact; dotted: toe-off)")
    ax.set_ylabel(ylabel)
    ax.set_xlim(0, 100)
    ax.legend(frameon=False, fontsize=7, loc="best")
    return _svg(fig)


@_styled
def stick_figure(kp: Keypoints, time_s: float, side: str, direction: int, title: str, angle: str,
                 value_text: str | None = None) -> str:  # fmt: skip
    """Skeleton at one instant in the runner's frame (forward to the right) with one angle drawn.
    ``value_text``: the caption's value (the stride's metric, read at the sub-frame event time, as
    strides.csv has it); without it, the angle in the frame drawn."""
    i = int(np.argmin(np.abs(kp.time_s - time_s)))
    fig, ax = _axes((2.4, 3.2))

    def point(name: str) -> np.ndarray:
        x, y = kp.xy_px[i, kp.index(name)]
        return np.array([direction * x, -y])

    for s in ("right", "left") if side == "left" else ("left", "right"):
        chain = [f"{s}_{p}" for p in ("hip", "knee", "ankle", "heel", "foot_index", "ankle")]
        pts = np.array([point(n) for n in chain])
        ax.plot(pts[:, 0], pts[:, 1], "-o", color=SIDE_COLOURS[s], lw=3 if s == side else 1.5, ms=3, alpha=1 if s == side else 0.5)
    if kp.has("left_shoulder") and kp.has("right_shoulder"):
        hip = (point("left_hip") + point("right_hip")) / 2
        shoulder = (point("left_shoulder") + point("right_shoulder")) / 2
        ax.plot([hip[0], shoulder[0]], [hip[1], shoulder[1]], "-", color="#555", lw=3)
    hip, knee, ankle = point(f"{side}_hip"), point(f"{side}_knee"), point(f"{side}_ankle")
    seg = (hip, knee) if angle == "thigh" else (knee, ankle)
    length = np.linalg.norm(seg[1] - seg[0])
    ax.plot([seg[0][0], seg[0][0]], [seg[0][1], seg[0][1] - length], "--", color="#888", lw=1)
    if value_text is None:
        value = {"thigh": angles.thigh_angle_deg, "shank": angles.shank_angle_deg}[angle](kp, side, direction)[i]
        value_text = f"{angle} {value:.0f}°"
    ax.set_title(f"{title}\n{value_text}", fontsize=9)
    ax.set_aspect("equal")
    ax.axis("off")
    return _svg(fig)


@_styled
def per_stride_plot(strides, metric: str, ylabel: str, band: tuple[float, float] | None = None) -> str:  # noqa: ANN001
    fig, ax = _axes((5.2, 2.4))
    if band is not None:
        ax.axhspan(band[0], band[1], color=BAND_COLOUR, alpha=0.12)
    for side, colour in SIDE_COLOURS.items():
        part = strides[strides["side"] == side]
        ax.plot(part["start_time_s"], part[metric], "o-", color=colour, ms=3, lw=1, label=side)
    ax.set_xlabel("time (s)")
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False, fontsize=7)
    return _svg(fig)
