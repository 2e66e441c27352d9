"""Gait events from the feet's fore-aft position relative to the pelvis (2-D, any camera rate).

Method (Zeni et al. 2008, *Gait Posture* 27:710, adapted to running and to 2-D video as in
Leitch et al. 2011 and Dingwell/Handsaker-style foot-position detectors): in a frame that moves
with the pelvis, each foot swings forward and is then carried backward by the ground (or the
belt) while it is planted. Therefore

* **initial contact** is at the **most forward position of the heel** relative to the pelvis
  (the heel's reversal from forward swing to backward stance motion), and
* **toe-off** is at the **most backward position of the ankle** relative to the pelvis (its
  reversal from backward stance motion to forward swing). Zeni used the toe; on BlazePose video
  the ankle is tracked far more reliably than the blurred toe tip in push-off (on the shared
  labelled clip: 100 % vs 83 % of toe-offs within one frame).

Because only *relative* positions are used, the same rule works on a treadmill, overground with a
fixed camera and with a panning camera, and is independent of the running direction once
``direction`` has been applied. The extremum is located to a fraction of a frame by fitting a
parabola through the three samples around it, after the zero-lag low-pass filter.

Known bias: the heel reaches its most forward point slightly *before* touchdown (late-swing foot
retraction). ``contact_offset_ms`` corrects this; its default of 20 ms is the mean bias measured on
the shared hand-labelled treadmill clip (BlazePose); on the RBDS force-plate trials (projected
motion capture, not used for tuning) the uncorrected bias is 26-41 ms. See docs/ACCURACY.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.signal import find_peaks

from runform.events.base import EVENT_COLUMNS, BaseEventDetection, empty_events, nearest_frames
from runform.kinematics import forward_position_px
from runform.kinematics import parabolic_peak as _parabolic_peak
from runform.model import Keypoints


@dataclass
class FootPositionEventDetection(BaseEventDetection):
    """Contacts and toe-offs from heel/toe position relative to the pelvis (see module docstring).

    Parameters
    ----------
    min_event_spacing_frac_stride:
        Two events of the same kind and foot are at least this fraction of a stride apart.
    min_prominence_frac_range:
        An extremum counts only if it stands out by this fraction of the foot's fore-aft range
        (5th-95th percentile); rejects tracking wobble during swing.
    contact_offset_ms:
        Added to every contact time to correct the heel-retraction bias (see module docstring).
    toe_off_offset_ms:
        Added to every toe-off time; 15 ms is the mean bias of the ankle reversal on the shared
        labelled clip (BlazePose). See docs/ACCURACY.md for what it is on other data.
    toe_off_method:
        ``"ankle_reversal"`` (video) or ``"toe_lift"`` (marker data, whose toe marker stays on the
        ground until toe-off): the ankle reversal moved back by the foot's median delay between
        the toe rising ``toe_lift_frac_leg`` leg lengths above its mid-stance height and the reversal.
    toe_lift_frac_leg:
        Lift threshold for ``"toe_lift"``, as a fraction of leg length (0.02 = about 2 cm).
    """

    min_event_spacing_frac_stride: float = 0.6
    min_prominence_frac_range: float = 0.25
    contact_offset_ms: float = 20.0
    toe_off_offset_ms: float = 15.0
    toe_off_method: str = "ankle_reversal"
    toe_lift_frac_leg: float = 0.02

    def detect(
        self,
        kp: Keypoints,
        *,
        direction: int,
        stride_frequency_hz: float,
        frame_times_s: np.ndarray | None = None,
    ) -> "FootPositionEventDetection":
        frame_times_s = kp.time_s if frame_times_s is None else frame_times_s
        rows: list[pd.DataFrame] = []
        if np.isfinite(stride_frequency_hz) and kp.n_frames > 3:
            spacing = self.min_event_spacing_frac_stride * kp.sampling_rate_hz / stride_frequency_hz
            for side in ("left", "right"):
                rows.append(self._side_events(kp, side, direction, spacing))
        events = pd.concat(rows, ignore_index=True) if rows else empty_events()
        if len(events):
            events["frame"] = nearest_frames(events["time_s"].to_numpy(), frame_times_s)
            events = events.sort_values(["time_s", "event"]).reset_index(drop=True)[EVENT_COLUMNS]
        else:
            events = empty_events()
        self.events_ = events
        return self

    def _side_events(self, kp: Keypoints, side: str, direction: int, spacing: float) -> pd.DataFrame:
        heel = forward_position_px(kp, f"{side}_heel", direction)
        ankle = forward_position_px(kp, f"{side}_ankle", direction)
        conf = np.nanmean(kp.confidence[:, [kp.index(f"{side}_heel"), kp.index(f"{side}_foot_index")]], axis=1)
        found = [
            _extrema(heel, spacing, self.min_prominence_frac_range, "contact", self.contact_offset_ms),
            _extrema(-ankle, spacing, self.min_prominence_frac_range, "toe_off", self.toe_off_offset_ms),
        ]
        table = pd.DataFrame([e for group in found for e in group], columns=["index", "event", "offset_ms", "prominence"])
        if table.empty:
            return empty_events().drop(columns="frame")
        table = _alternate(table)
        if self.toe_off_method == "toe_lift":
            table = self._toe_lift(kp, side, table)
        times = np.interp(table["index"], np.arange(kp.n_frames), kp.time_s) + table["offset_ms"] / 1000.0
        typical = table.groupby("event")["prominence"].transform("median")
        sharpness = np.clip(table["prominence"] / typical, 0.0, 1.0)
        near = np.clip(np.round(table["index"]).astype(int), 0, kp.n_frames - 1)
        landmark_conf = np.nan_to_num(conf[near], nan=0.5)
        return pd.DataFrame({
            "time_s": times, "side": side, "event": table["event"],
            "confidence": np.round(np.clip(landmark_conf * sharpness, 0, 1), 3),
        })  # fmt: skip


    def _toe_lift(self, kp: Keypoints, side: str, table: pd.DataFrame) -> pd.DataFrame:
        """Move each ankle-reversal toe-off back by this foot's median reversal-to-lift delay.

        The toe-lift time of a single stance is unbiased but jittery; the ankle reversal is sharp
        but lags toe-off by a runner-specific 90-130 ms. Their median difference over all stances
        of the clip calibrates the lag, keeping the precision of one and the accuracy of the other.
        """
        height = -kp.xy(f"{side}_foot_index")[:, 1]
        tol = self.toe_lift_frac_leg * float(np.nanmedian(kp.leg_length_px(side)))
        delays, rows = [], []
        for i in range(1, len(table)):
            prev, row = table.iloc[i - 1], table.iloc[i]
            if row["event"] != "toe_off" or prev["event"] != "contact":
                continue
            rows.append(i)
            start, stop = prev["index"], row["index"]
            core = slice(int(np.ceil(start + 0.3 * (stop - start))), int(start + 0.6 * (stop - start)) + 1)
            if core.stop <= core.start or not np.isfinite(height[core]).any():
                continue
            lift = _rise_time(height, core.stop - 1, int(stop) + 2, float(np.nanmedian(height[core])), tol)
            if lift is not None:
                delays.append(stop - lift)
        table = table.copy()
        if len(delays) >= 3:
            col = table.columns.get_loc("index")
            for i in rows:
                table.iloc[i, col] = table.iloc[i, col] - float(np.median(delays))
        return table


def _rise_time(height: np.ndarray, start: int, stop: int, level: float, tol: float) -> float | None:
    """Sub-frame time at which ``height`` leaves ``level`` by ``tol``, robust to jitter.

    The first rise through ``level + 3 tol`` after ``start`` is found, the rising flank between
    ``level + 1.5 tol`` and ``level + 3 tol`` is fitted with a line, and the line is followed back
    to ``level + tol``. Jitter near the threshold then moves the answer much less than a direct
    first-crossing would.
    """
    stop = min(stop, len(height) - 1)
    high, mid = level + 3 * tol, level + 1.5 * tol
    j = next((k for k in range(start, stop) if np.isfinite(height[k + 1]) and height[k] <= high < height[k + 1]), None)
    if j is None:
        return None
    flank = [k for k in range(max(start, j - 6), j + 2) if np.isfinite(height[k]) and mid <= height[k] <= high + tol]
    if len(flank) < 2:
        flank = [j, j + 1]
    slope, intercept = np.polyfit(np.asarray(flank, float), height[flank], 1)
    if slope <= 0:
        return None
    return float(np.clip((level + tol - intercept) / slope, start, j + 1))


#: Parameter sets per kind of keypoint source. "video": tuned on the shared hand-labelled
#: BlazePose clip. "marker": motion capture through the virtual camera; contact offset (+29 ms,
#: noise-free) and toe-off offset (-8 ms, realistic pose noise, 60 fps) tuned on RBDS001 (3 speeds),
#: checked untuned on RBDS003 and RBDS019; the 2 % toe-lift threshold was chosen looking at all
#: five RBDS trials (docs/ACCURACY.md).
EVENT_PROFILES: dict[str, dict[str, object]] = {
    "video": {"contact_offset_ms": 20.0, "toe_off_method": "ankle_reversal", "toe_off_offset_ms": 15.0},
    "marker": {"contact_offset_ms": 29.0, "toe_off_method": "toe_lift", "toe_off_offset_ms": -8.0},
}


def profile_for(source: str) -> str:
    """"marker" for projected motion capture, "video" for everything else."""
    return "marker" if source.startswith("virtual-camera") else "video"


def _extrema(signal: np.ndarray, spacing: float, prominence_frac: float, kind: str, offset_ms: float) -> list[tuple]:
    good = np.isfinite(signal)
    if good.sum() < 5:
        return []
    lo, hi = np.nanpercentile(signal, [5, 95])
    filled = np.where(good, signal, np.nanmin(signal) - (hi - lo))  # gaps can never be maxima
    peaks, props = find_peaks(filled, distance=max(1, int(spacing)), prominence=prominence_frac * (hi - lo))
    out = []
    for peak, prom in zip(peaks, props["prominences"]):
        if np.isfinite(signal[max(peak - 1, 0) : peak + 2]).all():
            out.append((_parabolic_peak(signal, int(peak)), kind, offset_ms, float(prom)))
    return out


def _alternate(table: pd.DataFrame) -> pd.DataFrame:
    """Keep a strict contact / toe-off alternation per foot; of two same-kind events in a row the
    more prominent survives."""
    table = table.sort_values("index").reset_index(drop=True)
    keep: list[int] = []
    for i, row in table.iterrows():
        if keep and table.loc[keep[-1], "event"] == row["event"]:
            if row["prominence"] > table.loc[keep[-1], "prominence"]:
                keep[-1] = i
            continue
        keep.append(i)
    return table.loc[keep].reset_index(drop=True)
