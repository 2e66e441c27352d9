"""Per-stride, per-side metrics (definitions and sign conventions in docs/METRICS.md).

A stride of a side runs from that foot's contact to its next contact; it contains that foot's
toe-off (stance = contact..toe-off, swing = toe-off..next contact) and the other foot's contact.
Angles are read at event times by linear interpolation between frames (sub-frame events).
No stride is built across missing data (:func:`missing_spans_s`: the runner out of view between two
overground passes, the pose lost; "in view" is :func:`runform.kinematics.runner_in_view`, the
event detector's definition too): its contact-to-contact interval may contain no stretch out of
view longer than ``max_missing_frac_stride`` of it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from runform.kinematics import angles, out_of_view_spans_s
from runform.kinematics.stride import forward_position_px
from runform.model import Calibration, Keypoints

#: Foot-strike classes from the foot angle at contact relative to standing-flat (Altman & Davis
#: 2012, *Gait Posture* 35:298: rearfoot > 8 deg, midfoot -1.6..8 deg, forefoot < -1.6 deg).
REARFOOT_MIN_DEG = 8.0
#: Foot descent speed is the ankle's mean downward speed over this window before contact.
DESCENT_WINDOW_S = 0.06
FOREFOOT_MAX_DEG = -1.6
#: The foot strike angle's reference: the foot's median angle over this part of the contact (mid-stance,
#: the foot flat; docs/METRICS.md).
FLAT_FOOT_FRAC_STANCE = (0.3, 0.6)
#: Longest stretch without a pelvis inside a stride, as a fraction of the stride: 0.2 is about 0.14 s
#: at 170 steps/min, just over the cleaning's longest interpolated gap (``max_gap_s`` 0.12 s).
MAX_MISSING_FRAC_STRIDE = 0.2


#: The runner's absences: (last time in view, next time in view) around each stretch out of view,
#: the same definition of "in view" as the event detector's (:func:`runform.kinematics.runner_in_view`: both hips).
missing_spans_s = out_of_view_spans_s


def longest_span_within_s(spans: list[tuple[float, float]], t0: float, t1: float) -> float:
    """Longest part of any of ``spans`` that lies between ``t0`` and ``t1`` (0 when none)."""
    return max((min(b, t1) - max(a, t0) for a, b in spans if a < t1 and b > t0), default=0.0)


@dataclass
class StrideMetrics:
    """Compute ``per_stride_`` (one row per stride and side) from keypoints and events, and
    ``missing_spans_s_`` (:func:`missing_spans_s`: the runner's absences, which the whole-clip
    cadence must not span either).

    Parameters
    ----------
    max_stride_s:
        Strides longer than this (missed events) are dropped: 2.0 s is a 60 steps/min walk.
    max_missing_frac_stride:
        Strides containing a stretch without a pelvis longer than this fraction of the stride are
        dropped (:data:`MAX_MISSING_FRAC_STRIDE`).
    """

    max_stride_s: float = 2.0
    max_missing_frac_stride: float = MAX_MISSING_FRAC_STRIDE

    def calculate(self, kp: Keypoints, events: pd.DataFrame, direction: int, calibration: Calibration) -> StrideMetrics:
        self._kp, self._dir, self._cal = kp, direction, calibration
        self._series = self._angle_series()
        self.missing_spans_s_ = missing_spans_s(kp)
        rows = [row for side in ("left", "right") for row in self._side_rows(events, side)]
        self.per_stride_ = pd.DataFrame(rows)
        return self

    # --- helpers --------------------------------------------------------------------------
    def _angle_series(self) -> dict[str, np.ndarray]:
        kp, d = self._kp, self._dir
        out: dict[str, np.ndarray] = {"trunk": angles.trunk_lean_deg(kp, d), "pelvis_y": angles.pelvis_xy(kp)[:, 1]}
        for side in ("left", "right"):
            out[f"{side}_thigh"] = angles.thigh_angle_deg(kp, side, d)
            out[f"{side}_shank"] = angles.shank_angle_deg(kp, side, d)
            out[f"{side}_knee"] = angles.knee_flexion_deg(kp, side, d)
            out[f"{side}_foot"] = angles.foot_angle_deg(kp, side, d)
            out[f"{side}_ankle_fwd"] = forward_position_px(kp, f"{side}_ankle", d)
            out[f"{side}_ankle_down_px_s"] = np.gradient(kp.xy(f"{side}_ankle")[:, 1], kp.time_s) if kp.n_frames > 1 else np.full(kp.n_frames, np.nan)
            out[f"{side}_thigh_vel"] = np.gradient(out[f"{side}_thigh"], kp.time_s) if kp.n_frames > 1 else np.full(kp.n_frames, np.nan)
        return out

    def _at(self, name: str, t: float) -> float:
        return float(np.interp(t, self._kp.time_s, self._series[name], left=np.nan, right=np.nan))

    def _window(self, name: str, t0: float, t1: float) -> np.ndarray:
        inside = (self._kp.time_s >= t0) & (self._kp.time_s <= t1)
        return self._series[name][inside]

    def _side_rows(self, events: pd.DataFrame, side: str) -> list[dict]:
        ev = events.sort_values("time_s")
        contacts = ev[(ev["side"] == side) & (ev["event"] == "contact")]
        rows = []
        for (_, c0), (_, c1) in zip(contacts.iloc[:-1].iterrows(), contacts.iloc[1:].iterrows()):
            t0, t1 = c0["time_s"], c1["time_s"]
            toe = ev[(ev["side"] == side) & (ev["event"] == "toe_off") & (ev["time_s"] > t0) & (ev["time_s"] < t1)]
            other = ev[(ev["side"] != side) & (ev["event"] == "contact") & (ev["time_s"] > t0) & (ev["time_s"] < t1)]
            if len(toe) != 1 or len(other) != 1 or t1 - t0 > self.max_stride_s:
                continue
            if longest_span_within_s(self.missing_spans_s_, t0, t1) > self.max_missing_frac_stride * (t1 - t0):
                continue  # across the runner's absence (between passes) or a lost pose
            rows.append(self._stride_row(side, c0, toe.iloc[0], c1, other.iloc[0], ev))
        return rows

    def _stride_row(self, side: str, c0: pd.Series, to: pd.Series, c1: pd.Series, oc: pd.Series, ev: pd.DataFrame) -> dict:
        t0, tto, t1, toc = c0["time_s"], to["time_s"], c1["time_s"], oc["time_s"]
        cal, unit = self._cal, self._cal.length_unit
        stride_time = t1 - t0
        other_to = ev[(ev["side"] != side) & (ev["event"] == "toe_off") & (ev["time_s"] > t0) & (ev["time_s"] < toc)]
        flight = toc - tto if other_to.empty else toc - max(tto, other_to["time_s"].iloc[-1])
        ahead_px = self._at(f"{side}_ankle_fwd", t0)
        foot_at_contact = self._at(f"{side}_foot", t0)
        lo, hi = FLAT_FOOT_FRAC_STANCE
        flat = np.nanmedian(self._window(f"{side}_foot", t0 + lo * (tto - t0), t0 + hi * (tto - t0)))
        strike = foot_at_contact - flat
        step_time = t1 - toc  # the stride's step that lands on this foot: a step is named after the landing foot
        pelvis = self._window("pelvis_y", toc, t1)  # that step: the other foot's mid-stance low, the flight's high
        speed_len = cal.length(cal.running_speed_px_s)
        stride_len = float(speed_len * stride_time)
        step_len = float(speed_len * step_time)
        vo = float(cal.length(np.nanmax(pelvis) - np.nanmin(pelvis))) if np.isfinite(pelvis).any() else np.nan
        return {
            "side": side, "contact_frame": int(c0["frame"]), "toe_off_frame": int(to["frame"]),
            "next_contact_frame": int(c1["frame"]), "max_thigh_frame": self._peak_frame(f"{side}_thigh", to, c1),
            "start_time_s": round(t0, 4),
            "stride_time_s": stride_time, "step_time_s": step_time, "contact_time_s": tto - t0,
            "swing_time_s": t1 - tto, "flight_time_s": max(flight, 0.0), "duty_factor": (tto - t0) / stride_time,
            "cadence_steps_per_min": 120.0 / stride_time,
            f"stride_length_{unit}": stride_len, f"step_length_{unit}": step_len,
            "max_thigh_angle_deg": _nanmax(self._window(f"{side}_thigh", tto, t1)),
            "hip_extension_at_toe_off_deg": -self._at(f"{side}_thigh", tto),
            "peak_swing_knee_flexion_deg": _nanmax(self._window(f"{side}_knee", tto, t1)),
            "knee_flexion_at_contact_deg": self._at(f"{side}_knee", t0),
            "shank_angle_at_contact_deg": self._at(f"{side}_shank", t0),
            f"foot_ahead_of_hip_{'cm' if cal.is_metric else 'px'}": float(cal.length(ahead_px)) * (100 if cal.is_metric else 1),
            "foot_ahead_of_hip_pct_leg": 100 * ahead_px / cal.leg_length_px,
            "foot_strike_angle_deg": strike, "foot_strike": _strike_class(strike),
            f"vertical_oscillation_{'cm' if cal.is_metric else 'px'}": vo * (100 if cal.is_metric else 1),
            "vertical_ratio_pct": 100 * vo / step_len if step_len > 0 else np.nan,
            "trunk_lean_deg": _nanmean(self._window("trunk", t0, t1)),
            "thigh_peak_velocity_pct_swing": self._peak_timing_pct(f"{side}_thigh_vel", tto, t1),
            f"foot_descent_speed_{'mps' if cal.is_metric else 'px_s'}": float(
                cal.length(_nanmean(self._window(f"{side}_ankle_down_px_s", t0 - DESCENT_WINDOW_S, t0)))),
        }  # fmt: skip

    def _peak_time(self, name: str, t0: float, t1: float) -> float | None:
        """When the series peaks between t0 and t1 (None: no value there)."""
        inside = (self._kp.time_s >= t0) & (self._kp.time_s <= t1)
        values = self._series[name][inside]
        if not np.isfinite(values).any() or t1 <= t0:
            return None
        return float(self._kp.time_s[inside][np.nanargmax(values)])

    def _peak_frame(self, name: str, start: pd.Series, end: pd.Series) -> int:
        """The decoded frame of the series' peak between two events, interpolated between their frames
        by time (the keypoints may be upsampled, so their rows are not frames); -1 when unknown."""
        t0, t1 = float(start["time_s"]), float(end["time_s"])
        t_peak = self._peak_time(name, t0, t1)
        if t_peak is None:
            return -1
        return int(round(np.interp(t_peak, [t0, t1], [int(start["frame"]), int(end["frame"])])))

    def _peak_timing_pct(self, name: str, t0: float, t1: float) -> float:
        """When (in % of the interval) the series peaks between t0 and t1."""
        t_peak = self._peak_time(name, t0, t1)
        return float("nan") if t_peak is None else 100 * (t_peak - t0) / (t1 - t0)


def _nanmax(values: np.ndarray) -> float:
    return float(np.nanmax(values)) if np.isfinite(values).any() else float("nan")


def _nanmean(values: np.ndarray) -> float:
    return float(np.nanmean(values)) if np.isfinite(values).any() else float("nan")


def _strike_class(angle_deg: float) -> str:
    if not np.isfinite(angle_deg):
        return "unknown"
    if angle_deg > REARFOOT_MIN_DEG:
        return "rearfoot"
    return "forefoot" if angle_deg < FOREFOOT_MAX_DEG else "midfoot"
