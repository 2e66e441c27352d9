"""Gait events from what they are: the foot meeting and leaving the ground (2-D, any source, any rate).

One detector for video, keypoint files and projected motion capture (docs/ACCURACY.md says what
else was tried and what each scored). Per foot, three steps:

1. **Stances.** The heel's most forward and the ankle's most backward position relative to the
   pelvis bracket each stance (Zeni et al. 2008, *Gait Posture* 27:710). They are robust but not
   the events: the heel reverses before touchdown (late-swing retraction) and the ankle reverses
   70-150 ms after toe-off. They only give each stance a *core* (25-55 % of the way between them)
   where the foot is surely planted.
2. **Contact = the foot starts moving with the ground.** A planted foot moves backward relative to
   the pelvis at the ground's speed (the belt on a treadmill; the runner's speed overground, with a
   fixed or a panning camera alike). Contact is when the mean fore-aft velocity of heel and toe
   (a central difference over +-1/30 s at any frame rate) first reaches
   ``contact_ground_speed_frac`` (one half) of the stance core's velocity. This is also how the
   shared clip's contacts were hand-labelled ("the heel moves with the belt, at least half belt
   speed").
3. **Toe-off = the toe leaves the ground.** The toe (``foot_index``) rises above its stance-core
   level by ``toe_lift_frac_leg`` (2 % of leg length, about 2 cm).

Single stances are noisy where it matters (the toe starts to rise slowly, so pose jitter moves a
threshold crossing a lot). So each foot's stances are aligned with one another: every stance is
anchored where the signal changes fast (the toe at ``toe_anchor_frac_leg`` above its level; the
velocity half-way), the anchored waveforms are averaged into a template (median over stances),
each stance's anchor is refined by least-squares alignment of its whole waveform to the template
(for toe-off, the heights of heel, toe and ankle and the fore-aft positions of heel and toe are
aligned together, which halves the effect of pose jitter), and the event is read once, on the
low-noise template, at its physical threshold. Thresholds are fractions of the leg
length or of the ground speed, so nothing depends on pixel scale, frame rate or running speed.

Parameters were chosen on 10 RBDS runners (RBDS001, 003, 005, 006, 008, 010, 011, 014, 016, 020)
and are reported on the other 10 (benchmarks/accuracy.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.signal import find_peaks

from runform.events.base import EVENT_COLUMNS, BaseEventDetection, empty_events, nearest_frames
from runform.kinematics import forward_position_px, interpolate_series, parabolic_peak, runner_in_view, upsample_cubic
from runform.model import Keypoints, frame_interval_s, mean_of_known, nanmean_or_nan

#: Confidence factor of an event that could not be timed from the foot itself (stance too short,
#: landmark missing) and was placed from the stance bracket and this foot's typical lag instead.
FALLBACK_CONFIDENCE = 0.3
#: Confidence factor of an event in a gap where the foot was not tracked, placed by the foot's rhythm.
RHYTHM_CONFIDENCE = 0.2


@dataclass
class FootGroundEventDetection(BaseEventDetection):
    """Contacts and toe-offs from the foot meeting and leaving the ground (see module docstring).

    Parameters
    ----------
    min_event_spacing_frac_stride:
        Two stance brackets of the same foot are at least this fraction of a stride apart.
    min_prominence_frac_range:
        A bracket extremum counts only if it stands out by this fraction of the foot's fore-aft
        range (5th-95th percentile); rejects tracking wobble during swing.
    stance_core_frac:
        Part of each stance bracket (from the heel's to the ankle's reversal) taken as surely planted.
    contact_ground_speed_frac:
        Contact when the foot's backward speed relative to the pelvis reaches this fraction of the
        ground speed (tuned on the 10 tuning runners; 0.5 is also the hand-labelling rule).
    toe_lift_frac_leg:
        Toe-off when the toe is this many leg lengths above its stance level (0.02: the value that
        matched force-plate toe-off on the tuning runners; about 2 cm).
    toe_anchor_frac_leg:
        Height of the steep anchor point on the toe's rise used to align stances.
    max_shift_s:
        Largest refinement of one stance's anchor by template alignment.
    toe_window_s:
        Template alignment window for toe-off: (before, after) the anchor.
    contact_window_s:
        Template alignment window for contact: (before, after) the anchor.
    contact_search_back_s:
        The contact anchor is searched from the stance core back to this long before the heel's
        most forward position (the bracket: late-swing retraction puts it shortly before touchdown).
    toe_search_forward_s:
        The toe-off anchor is searched from the stance core on to this long after the ankle's most
        backward position (the bracket: it comes 70-150 ms after toe-off, so the toe has risen by then).

    ``contact_window_s``, ``contact_search_back_s`` and ``toe_search_forward_s`` were set with the
    detector (commit abbbe95), not tuned one by one, and kept through its tuning on the 10 tuning
    runners (``benchmarks/events_tuning.py``).
    velocity_half_window_s:
        The fore-aft velocity for contact is a central difference over this half-window (at least
        one frame) at every frame rate: a one-frame difference smooths more at 30 fps than at
        60 or 240 fps and so timed contact 4-5 ms later at 30 fps than at higher rates.
    fill_missed:
        Place stances one foot lost in a gap (dropouts, leg swaps) from the other foot's events
        and this foot's lag behind them, with ``RHYTHM_CONFIDENCE``.
    bracket_bridge_s:
        Gaps in the heel and ankle tracks up to this long are bridged before the stance brackets
        are found (a bracket is only a coarse stance limit; a gap beside it used to lose the
        stance: one missing frame, and five in early swing on the 360 x 640 copy of the real clip
        once swaps were no longer repaired into the gap; neutral on the tuning runners).
    min_sampling_rate_hz:
        Keypoints sampled below 90 % of this rate (15, 20, 24, 25 fps clips) are upsampled to it
        by a cubic spline before the events are read: between samples 1/15 s apart a straight line
        cuts the corner of the foot's deceleration and of the toe's convex rise, which timed
        contacts 12 ms late and toe-offs 16 ms early at 15 fps (contact time 28 ms short). The
        detector was tuned at 30-240 fps; faster clips are used as they are.
    """

    min_event_spacing_frac_stride: float = 0.6
    min_prominence_frac_range: float = 0.25
    stance_core_frac: tuple[float, float] = (0.25, 0.55)
    contact_ground_speed_frac: float = 0.5
    toe_lift_frac_leg: float = 0.02
    toe_anchor_frac_leg: float = 0.08
    max_shift_s: float = 0.04
    toe_window_s: tuple[float, float] = (0.12, 0.06)
    contact_window_s: tuple[float, float] = (0.08, 0.08)
    contact_search_back_s: float = 0.15
    toe_search_forward_s: float = 0.1
    velocity_half_window_s: float = 1 / 30
    fill_missed: bool = True
    min_sampling_rate_hz: float = 30.0
    bracket_bridge_s: float = 0.2

    def detect(
        self,
        kp: Keypoints,
        *,
        direction: int,
        stride_frequency_hz: float,
        frame_times_s: np.ndarray | None = None,
    ) -> FootGroundEventDetection:
        frame_times_s = kp.time_s if frame_times_s is None else frame_times_s
        source_hz = kp.sampling_rate_hz
        if kp.n_frames > 3 and source_hz < 0.9 * self.min_sampling_rate_hz:
            kp = upsample_cubic(kp, self.min_sampling_rate_hz)
        bridge = _bridge_samples(self.bracket_bridge_s, source_hz, kp.sampling_rate_hz)
        rows: list[pd.DataFrame] = []
        self.n_from_foot_ = 0
        if np.isfinite(stride_frequency_hz) and kp.n_frames > 3:
            spacing = self.min_event_spacing_frac_stride * kp.sampling_rate_hz / stride_frequency_hz
            rows = [self._side_events(kp, side, direction, spacing, bridge) for side in ("left", "right")]
        events = pd.concat(rows, ignore_index=True) if rows else empty_events()
        if self.fill_missed and len(events):
            events = _fill_missed(events, kp.time_s, runner_in_view(kp))
        if len(events):
            events["frame"] = nearest_frames(events["time_s"].to_numpy(), frame_times_s)
            events = events.sort_values(["time_s", "event"]).reset_index(drop=True)[EVENT_COLUMNS]
        else:
            events = empty_events()
        self.events_ = events
        return self

    # --- one foot -------------------------------------------------------------------------
    def _side_events(self, kp: Keypoints, side: str, direction: int, spacing: float, bridge: int) -> pd.DataFrame:
        brackets = self._brackets(kp, side, direction, spacing, bridge)
        if brackets.empty:
            return empty_events().drop(columns="frame")
        kinds = brackets["event"].to_numpy()
        ref = brackets["index"].to_numpy(dtype=float)
        index = np.full(len(ref), np.nan)
        stance = _stances(kinds)  # (contact row, toe-off row) pairs
        cores = [self._core(ref[c], ref[t]) for c, t in stance]
        fs = kp.sampling_rate_hz
        contacts = [c for c, _ in stance]
        index[contacts] = self._contacts(kp, side, direction, [ref[c] for c in contacts], cores, fs)
        toe_offs = [t for _, t in stance]
        index[toe_offs] = self._toe_offs(kp, side, direction, [ref[t] for t in toe_offs], cores, fs)
        from_foot = np.isfinite(index)
        for kind in ("contact", "toe_off"):  # the foot's typical lag places what could not be timed
            sel = kinds == kind
            lag = ref[sel & from_foot] - index[sel & from_foot]
            if len(lag):
                fill = sel & ~from_foot
                index[fill] = ref[fill] - float(np.median(lag))
        keep = np.isfinite(index)
        self.n_from_foot_ += int(from_foot.sum())
        times = np.interp(index[keep], np.arange(kp.n_frames), kp.time_s)
        heel_toe = [kp.index(f"{side}_heel"), kp.index(f"{side}_foot_index")]
        landmark_conf = nanmean_or_nan(kp.confidence[:, heel_toe], axis=1)
        near = np.clip(np.round(index[keep]).astype(int), 0, kp.n_frames - 1)
        conf = np.nan_to_num(landmark_conf[near], nan=0.5) * np.where(from_foot[keep], 1.0, FALLBACK_CONFIDENCE)
        return pd.DataFrame({
            "time_s": times, "side": side, "event": kinds[keep], "confidence": np.round(np.clip(conf, 0, 1), 3),
        })  # fmt: skip

    def _brackets(self, kp: Keypoints, side: str, direction: int, spacing: float, bridge: int) -> pd.DataFrame:
        """Heel's most forward (``contact``) and ankle's most backward (``toe_off``) positions,
        alternating, as sub-frame indices; gaps of up to ``bridge`` samples bridged first."""
        heel = forward_position_px(kp, f"{side}_heel", direction)
        ankle = forward_position_px(kp, f"{side}_ankle", direction)
        found = [
            _extrema(heel, spacing, self.min_prominence_frac_range, "contact", bridge),
            _extrema(-ankle, spacing, self.min_prominence_frac_range, "toe_off", bridge),
        ]
        table = pd.DataFrame([e for group in found for e in group], columns=["index", "event", "prominence"])
        return _alternate(table) if len(table) else table

    def _core(self, contact_ref: float, toe_off_ref: float) -> tuple[int, int]:
        lo, hi = self.stance_core_frac
        a = int(np.ceil(contact_ref + lo * (toe_off_ref - contact_ref)))
        b = int(np.floor(contact_ref + hi * (toe_off_ref - contact_ref)))
        return a, max(a, b)

    def _contacts(self, kp: Keypoints, side: str, direction: int, refs: list[float],
                  cores: list[tuple[int, int]], fs: float) -> np.ndarray:  # fmt: skip
        """Contact: the foot's fore-aft velocity reaches ``contact_ground_speed_frac`` of the ground's."""
        parts = [forward_position_px(kp, f"{side}_{p}", direction) for p in ("heel", "foot_index")]
        half_window_s = self.velocity_half_window_s
        velocity = mean_of_known(np.stack([_window_velocity(p, kp.time_s, half_window_s) for p in parts]))
        ground = np.array([_nanmedian(velocity[a : b + 1]) for a, b in cores])
        typical = _nanmedian(ground[ground < 0]) if np.any(ground < 0) else np.nan
        if not np.isfinite(typical):
            return np.full(len(refs), np.nan)
        ratio = velocity / typical  # 1 = moving with the ground
        frac = self.contact_ground_speed_frac
        anchors = np.array([
            _crossing(ratio, a, int(ref) - int(self.contact_search_back_s * fs), frac, step=-1) if g < 0 else np.nan
            for ref, (a, _), g in zip(refs, cores, ground)
        ])  # fmt: skip
        return _refine([(ratio, np.zeros(len(anchors)))], anchors, frac, fs, window_s=self.contact_window_s,
                       max_shift_s=self.max_shift_s)  # fmt: skip

    def _toe_offs(self, kp: Keypoints, side: str, direction: int, refs: list[float], cores: list[tuple[int, int]],
                  fs: float) -> np.ndarray:  # fmt: skip
        """Toe-off: the toe rises ``toe_lift_frac_leg`` leg lengths above its stance level."""
        height = -kp.xy(f"{side}_foot_index")[:, 1]  # image y points down
        leg = float(np.nanmedian(kp.leg_length_px(side)))
        if not np.isfinite(leg) or leg <= 0:
            return np.full(len(refs), np.nan)
        levels = np.array([_nanmedian(height[a : b + 1]) for a, b in cores])
        anchors = np.array([
            _crossing(height, b, int(ref) + int(self.toe_search_forward_s * fs), level + self.toe_anchor_frac_leg * leg, step=+1)
            if np.isfinite(level) else np.nan
            for ref, (_, b), level in zip(refs, cores, levels)
        ])  # fmt: skip
        channels = [(height, levels), *self._helper_channels(kp, side, direction, cores)]
        return _refine(channels, anchors, self.toe_lift_frac_leg * leg, fs, window_s=self.toe_window_s,
                       max_shift_s=self.max_shift_s)  # fmt: skip

    def _helper_channels(self, kp: Keypoints, side: str, direction: int,
                         cores: list[tuple[int, int]]) -> list[tuple[np.ndarray, np.ndarray]]:  # fmt: skip
        """Other foot signals that move with the event (heights of heel, toe and ankle; fore-aft
        position of heel and toe), each relative to its stance-core level: they only help align."""
        out = []
        for part in ("heel", "foot_index", "ankle"):
            height = -kp.xy(f"{side}_{part}")[:, 1]
            out.append((height, np.array([_nanmedian(height[a : b + 1]) for a, b in cores])))
        for part in ("heel", "foot_index"):
            fwd = forward_position_px(kp, f"{side}_{part}", direction)
            out.append((fwd, np.array([_nanmedian(fwd[a : b + 1]) for a, b in cores])))
        return out


#: :func:`_fill_missed` places at most this many stances lost in a row (a longer gap is not bridged
#: by rhythm: the runner may have changed pace, or left the view).
MAX_MISSING_STANCES = 2
#: :func:`_fill_missed` bridges a gap only when it is a whole number of typical intervals within
#: this fraction of one (an irregular gap is not a steady rhythm) ...
MAX_INTERVAL_MISMATCH_FRAC = 0.2
#: ... and places an event only where the other foot's event plus the lag falls within this
#: fraction of a typical interval of where the rhythm puts it. Both set with the gap filling
#: (commit b069b28, benchmarks/events_tuning.py on the 10 tuning runners), not tuned one by one.
MAX_RHYTHM_OFFSET_FRAC = 0.25


def _fill_missed(events: pd.DataFrame, time_s: np.ndarray, in_view: np.ndarray,
                 max_missing_stances: int = MAX_MISSING_STANCES) -> pd.DataFrame:  # fmt: skip
    """Events with the stances one foot lost in a gap (a stride or two where it was not tracked:
    dropouts, leg swaps) placed from the other foot: where two consecutive events of a kind of one
    foot are 2-3 typical intervals apart, each missing one is put at the other foot's event of the
    same kind plus this foot's median lag behind it (running alternates the feet), with
    ``RHYTHM_CONFIDENCE``. Not counted as timed from the foot. Nothing is placed where the runner
    was out of view (``in_view`` false at the nearest frame of ``time_s``: :func:`runner_in_view`)."""
    added = []
    for side, other in (("left", "right"), ("right", "left")):
        for kind in ("contact", "toe_off"):
            own = np.sort(events.loc[(events["side"] == side) & (events["event"] == kind), "time_s"].to_numpy())
            ref = np.sort(events.loc[(events["side"] == other) & (events["event"] == kind), "time_s"].to_numpy())
            if len(own) < 4 or len(ref) < 4:
                continue
            typical = float(np.median(np.diff(own)))
            before = np.searchsorted(ref, own) - 1
            lags = own[before >= 0] - ref[before[before >= 0]]
            lags = lags[lags < typical]
            if not len(lags):
                continue
            lag = float(np.median(lags))
            for start, gap in zip(own[:-1], np.diff(own)):
                n = int(round(gap / typical))
                if not 2 <= n <= max_missing_stances + 1 or abs(gap / n - typical) > MAX_INTERVAL_MISMATCH_FRAC * typical:
                    continue
                for k in range(1, n):
                    rough = start + k * gap / n
                    near = ref[np.argmin(np.abs(ref + lag - rough))]
                    frame = int(np.argmin(np.abs(time_s - (near + lag)))) if len(time_s) else -1
                    if abs(near + lag - rough) < MAX_RHYTHM_OFFSET_FRAC * typical and frame >= 0 and in_view[frame]:
                        added.append({"time_s": near + lag, "side": side, "event": kind, "confidence": RHYTHM_CONFIDENCE})
    if not added:
        return events
    return pd.concat([events, pd.DataFrame(added)], ignore_index=True)


# --- signal helpers (pure functions) ---------------------------------------------------------
def _stances(kinds: np.ndarray) -> list[tuple[int, int]]:
    """Row pairs (contact, toe-off) of consecutive bracket rows."""
    return [(i, i + 1) for i in range(len(kinds) - 1) if kinds[i] == "contact" and kinds[i + 1] == "toe_off"]


def _nanmedian(values: np.ndarray) -> float:
    values = np.asarray(values, dtype=float)
    return float(np.nanmedian(values)) if np.isfinite(values).any() else float("nan")


def _window_velocity(values: np.ndarray, time_s: np.ndarray, half_window_s: float) -> np.ndarray:
    """Central difference over +-``half_window_s`` (at least one frame), whatever the frame rate,
    so that the velocity has the same smoothing (and the contact the same timing) at 30, 60 or
    240 fps. NaN where either end falls in a gap."""
    if len(values) < 2:
        return np.full(len(values), np.nan)
    dt = frame_interval_s(time_s)
    h = max(half_window_s, dt)
    filled = _filled(values)
    idx = np.arange(len(values))
    shift = h / dt
    shift = float(round(shift)) if abs(shift - round(shift)) < 1e-6 else shift
    ahead = np.interp(idx + shift, idx, filled, left=np.nan, right=np.nan)
    behind = np.interp(idx - shift, idx, filled, left=np.nan, right=np.nan)
    gap = ~np.isfinite(values)
    gap_ahead = np.interp(idx + shift, idx, gap.astype(float), left=1, right=1) > 0
    gap_behind = np.interp(idx - shift, idx, gap.astype(float), left=1, right=1) > 0
    out = (ahead - behind) / (2 * h)
    out[gap | gap_ahead | gap_behind] = np.nan
    return out


def _crossing(signal: np.ndarray, start: int, stop: int, level: float, step: int, rising: bool | None = None) -> float:
    """Sub-frame index where ``signal`` passes ``level`` walking from ``start`` towards ``stop``
    (``step`` +1 forward, -1 back in time). ``rising`` (default: ``step > 0``) asks for a pass
    upward along the walk; otherwise downward. NaN when it does not."""
    n = len(signal)
    rising = step > 0 if rising is None else rising
    k = start
    while 0 <= k < n and 0 <= k + step < n and (stop - k) * step > 0:
        a, b = signal[k], signal[k + step]
        if np.isfinite(a) and np.isfinite(b) and (a < level <= b if rising else a >= level > b):
            return float(k + step * (level - a) / (b - a))
        k += step
    return float("nan")


def _refine(channels: list[tuple[np.ndarray, np.ndarray]], anchors: np.ndarray, threshold: float, fs: float,
            window_s: tuple[float, float], max_shift_s: float, read_step: int = -1,
            iterations: int = 1) -> np.ndarray:  # fmt: skip
    """Event index per anchor (NaN where there is none).

    ``channels`` are (signal, per-stance level) pairs; the first is the one the event is read on,
    the others only help the alignment. Each stance's waveforms (signal minus the stance's level,
    ``window_s`` before and after its anchor) are aligned by least squares, all channels together
    (each scaled by its template's range), to the median waveforms of all stances (the templates),
    ``iterations`` times, each time rebuilding the templates. The event is then read once, where
    the first template passes ``threshold`` walking from the anchor in ``read_step`` direction
    (-1: back in time). With fewer than 3 stances the anchors are returned uncorrected."""
    levels0 = channels[0][1]
    usable = np.flatnonzero(np.isfinite(anchors) & np.isfinite(levels0))
    if len(usable) < 3:
        return anchors.copy() if len(usable) else np.full(len(anchors), np.nan)
    step = 0.25  # template and shift resolution, frames
    rel = np.arange(-window_s[0] * fs, window_s[1] * fs + 1e-9, step)
    shifts = np.arange(-max_shift_s * fs, max_shift_s * fs + 1e-9, step)
    filled = [_filled(signal) for signal, _ in channels]
    idx = np.arange(len(channels[0][0]))
    positions = anchors.copy()

    def waveform(c: int, k: int, at: np.ndarray) -> np.ndarray:
        level = channels[c][1][k]
        return np.interp(at, idx, filled[c], left=np.nan, right=np.nan) - (level if np.isfinite(level) else np.nan)

    templates: list[np.ndarray] = []
    for _ in range(max(1, iterations)):
        templates = []
        for c in range(len(channels)):
            segments = np.stack([waveform(c, k, positions[k] + rel) for k in usable])
            complete = np.isfinite(segments).all(axis=1)
            templates.append(np.median(segments[complete], axis=0) if complete.sum() >= 3 else None)
        if templates[0] is None:
            return anchors.copy()
        for k in usable:
            grid = positions[k] + shifts[:, None] + rel[None, :]
            cost = np.zeros(len(shifts))
            for c, template in enumerate(templates):
                if template is None or np.ptp(template) == 0:
                    continue
                term = np.nanmean((waveform(c, k, grid) - template) ** 2, axis=1) / np.ptp(template) ** 2
                cost += np.where(np.isfinite(term), term, 0.0 if c else np.inf)
            if np.isfinite(cost).any():
                positions[k] = positions[k] + shifts[int(np.argmin(cost))]
    template = templates[0]
    start = int(np.argmin(np.abs(rel)))
    while 0 < start < len(rel) - 1 and template[start] < threshold:  # the anchor sits on the threshold
        start -= read_step
    at = _crossing(template, start, 0 if read_step < 0 else len(rel) - 1, threshold, step=read_step, rising=False)
    if not np.isfinite(at):
        return np.full(len(anchors), np.nan)
    offset = float(np.interp(at, np.arange(len(rel)), rel))  # frames from anchor to event on the template
    return positions + offset


def _filled(signal: np.ndarray) -> np.ndarray:
    """NaN gaps linearly filled (a signal with fewer than 2 samples stays NaN)."""
    good = np.isfinite(signal)
    if good.sum() < 2:
        return np.full(len(signal), np.nan)
    idx = np.arange(len(signal))
    return np.interp(idx, idx[good], signal[good])


def _bridge_samples(bridge_s: float, source_hz: float, analysed_hz: float) -> int:
    """Samples of a gap to bridge at ``analysed_hz`` for gaps of up to ``bridge_s`` in the source's
    frames. n missing source frames leave an open interval of (n + 1) x ``factor`` samples' length
    once upsampled by ``factor``: (n + 1) x factor - 1 samples when the source frames fall on the
    new grid (an integer factor: one missing frame at 15 fps is three samples at 30 Hz), at most
    its floor otherwise (20 fps to 30 Hz)."""
    if not (np.isfinite(source_hz) and np.isfinite(analysed_hz) and source_hz > 0):
        return 0
    factor = analysed_hz / source_hz
    length = (round(bridge_s * source_hz) + 1) * factor
    on_grid = abs(factor - round(factor)) < 1e-6
    return max(0, int(round(length)) - 1 if on_grid else int(np.floor(length + 1e-9)))


def _extrema(signal: np.ndarray, spacing: float, prominence_frac: float, kind: str, bridge: int = 0) -> list[tuple]:
    """Stance brackets: maxima of ``signal`` at least ``spacing`` frames apart that stand out by
    ``prominence_frac`` of its range. Gaps of up to ``bridge`` frames are bridged by a straight line
    first (a bracket is a coarse stance limit; dropping one next to a one-frame gap lost the whole
    stance); longer gaps can never hold a maximum."""
    good = np.isfinite(signal)
    if good.sum() < 5:
        return []
    lo, hi = np.nanpercentile(signal, [5, 95])
    bridged = interpolate_series(signal, bridge) if bridge > 0 else signal
    filled = np.where(np.isfinite(bridged), bridged, np.nanmin(signal) - (hi - lo))
    peaks, props = find_peaks(filled, distance=max(1, int(spacing)), prominence=prominence_frac * (hi - lo))
    out = []
    for peak, prom in zip(peaks, props["prominences"]):
        if good[peak] and np.isfinite(bridged[max(peak - 1, 0) : peak + 2]).all():
            out.append((parabolic_peak(bridged, int(peak)), kind, float(prom)))
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
