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
from runform.keypoints import Keypoints
from runform.kinematics.stride import _parabolic_peak, forward_position_px


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
        ``"ankle_reversal"`` (video) or ``"toe_lift"``: the first time after mid-stance that the toe
        rises ``toe_lift_frac_leg`` leg lengths above its mid-stance height (marker data, whose toe
        marker stays on the ground until toe-off).
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
        """Replace each ankle-reversal toe-off by the toe-lift time inside the same stance."""
        height = -kp.xy(f"{side}_foot_index")[:, 1]
        thigh = np.linalg.norm(kp.xy(f"{side}_hip") - kp.xy(f"{side}_knee"), axis=1)
        shank = np.linalg.norm(kp.xy(f"{side}_knee") - kp.xy(f"{side}_ankle"), axis=1)
        tol = self.toe_lift_frac_leg * float(np.nanmedian(thigh + shank))
        table = table.copy()
        for i in range(1, len(table)):
            prev, row = table.iloc[i - 1], table.iloc[i]
            if row["event"] != "toe_off" or prev["event"] != "contact":
                continue
            start, stop = prev["index"], row["index"]
            core = slice(int(np.ceil(start + 0.3 * (stop - start))), int(start + 0.6 * (stop - start)) + 1)
            if core.stop <= core.start or not np.isfinite(height[core]).any():
                continue
            level = np.nanmedian(height[core])
            j = core.stop - 1
            while j + 1 < len(height) and j + 1 <= stop + 1 and np.isfinite(height[j + 1]) and height[j + 1] - level <= tol:
                j += 1
            if j + 1 < len(height) and np.isfinite(height[j + 1]) and height[j + 1] != height[j]:
                table.iloc[i, table.columns.get_loc("index")] = j + (level + tol - height[j]) / (height[j + 1] - height[j])
        return table


#: Parameter sets per kind of keypoint source. "video": tuned on the shared hand-labelled
#: BlazePose clip. "marker": motion capture through the virtual camera; contact offset tuned on
#: RBDS001 (3 speeds), checked untuned on RBDS003 and RBDS019 (docs/ACCURACY.md).
EVENT_PROFILES: dict[str, dict[str, object]] = {
    "video": {"contact_offset_ms": 20.0, "toe_off_method": "ankle_reversal", "toe_off_offset_ms": 15.0},
    "marker": {"contact_offset_ms": 29.0, "toe_off_method": "toe_lift", "toe_off_offset_ms": 0.0},
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
