"""Quality gate: is this clip good enough, and for which metrics? (docs/QUALITY.md)

Each check gives a verdict ``pass`` / ``warn`` / ``refuse`` with the measured value, the
threshold and a fix. A single ``refuse`` stops the analysis; warnings travel with the results.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from runform.keypoints import Keypoints
from runform.kinematics.clean import CleaningReport

WARN_FPS = 50.0  # contact/flight time need >= 50 fps for +/-10 ms (one frame = 20 ms)
UNRELIABLE_TIMING_FPS = 24.0
REFUSE_FPS = 10.0
MIN_STRIDES_PER_SIDE = 4
MIN_LEG_CONFIDENCE = 0.5
MIN_RUNNER_HEIGHT_FRAC = 0.25  # runner's hip-to-ankle span as a fraction of the frame height
MAX_DUTY_FACTOR_RUNNING = 0.62  # walking has double support: duty factor > 0.6 (Novacheck 1998)


@dataclass(frozen=True)
class Check:
    name: str
    verdict: str  # pass | warn | refuse
    value: float | str | None
    threshold: str
    message: str
    fix: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def _fps_check(fps: float) -> Check:
    if fps < REFUSE_FPS:
        return Check("frame_rate", "refuse", round(fps, 2), f">= {REFUSE_FPS:g} fps", f"{fps:.1f} fps is too slow to see strides",
                     "film at 60 fps or more")  # fmt: skip
    if fps < UNRELIABLE_TIMING_FPS:
        return Check("frame_rate", "warn", round(fps, 2), f">= {UNRELIABLE_TIMING_FPS:g} fps",
                     f"{fps:.1f} fps: contact and flight time are unreliable; cadence, stride and angles are reported",
                     "film at 60 fps or more")  # fmt: skip
    if fps < WARN_FPS:
        return Check("frame_rate", "warn", round(fps, 2), f">= {WARN_FPS:g} fps",
                     f"{fps:.1f} fps: contact and flight time are only good to about +/- one frame ({1000 / fps:.0f} ms)",
                     "film at 60 fps or more")  # fmt: skip
    return Check("frame_rate", "pass", round(fps, 2), f">= {WARN_FPS:g} fps", f"{fps:.1f} fps")


def _strides_check(strides: pd.DataFrame) -> Check:
    counts = {s: int((strides["side"] == s).sum()) if len(strides) else 0 for s in ("left", "right")}
    fewest = min(counts.values())
    if fewest == 0:
        return Check("strides", "refuse", fewest, f">= {MIN_STRIDES_PER_SIDE} per side",
                     f"no complete stride found for at least one leg (left {counts['left']}, right {counts['right']})",
                     "film at least 10 s of steady running, side-on, whole body in frame")  # fmt: skip
    verdict = "warn" if fewest < MIN_STRIDES_PER_SIDE else "pass"
    return Check("strides", verdict, fewest, f">= {MIN_STRIDES_PER_SIDE} per side",
                 f"{counts['left']} left and {counts['right']} right strides", "film at least 10 s of steady running")  # fmt: skip


def _confidence_check(kp_raw: Keypoints) -> Check:
    legs = [kp_raw.index(n) for n in kp_raw.names if n.split("_", 1)[-1] in ("knee", "ankle", "heel", "foot_index")]
    conf = float(np.nanmean(kp_raw.confidence[:, legs])) if np.isfinite(kp_raw.confidence[:, legs]).any() else 0.0
    verdict = "pass" if conf >= MIN_LEG_CONFIDENCE else "warn"
    return Check("keypoint_confidence", verdict, round(conf, 3), f">= {MIN_LEG_CONFIDENCE}",
                 f"mean leg landmark confidence {conf:.2f}", "use brighter light, a plain background and less motion blur")  # fmt: skip


def _running_check(strides: pd.DataFrame) -> Check:
    if strides.empty:
        return Check("running", "refuse", None, f"duty factor <= {MAX_DUTY_FACTOR_RUNNING}", "no gait cycle found",
                     "film a runner from the side")  # fmt: skip
    duty = float(strides["duty_factor"].median())
    if duty > MAX_DUTY_FACTOR_RUNNING:
        return Check("running", "refuse", round(duty, 3), f"duty factor <= {MAX_DUTY_FACTOR_RUNNING}",
                     f"not running: each foot is on the ground {duty:.0%} of the stride (walking has double support)",
                     "film running, not walking; knee-drive advice needs a running stride")  # fmt: skip
    return Check("running", "pass", round(duty, 3), f"duty factor <= {MAX_DUTY_FACTOR_RUNNING}", f"duty factor {duty:.2f}")


def _swap_check(cleaning: CleaningReport, n_frames: int) -> Check:
    frac = cleaning.n_swapped_frames / max(n_frames, 1)
    verdict = "warn" if frac > 0.1 else "pass"
    return Check("leg_swaps", verdict, cleaning.n_swapped_frames, "<= 10 % of frames",
                 f"{cleaning.n_swapped_frames} frames had left/right legs exchanged by the pose model and were repaired",
                 "film perpendicular to the running direction with contrasting shoes/socks")  # fmt: skip


def _size_check(kp: Keypoints) -> Check | None:
    if kp.image_size_px is None:
        return None
    hips = (kp.xy("left_hip") + kp.xy("right_hip")) / 2
    ankles = (kp.xy("left_ankle") + kp.xy("right_ankle")) / 2
    span = np.nanmedian(ankles[:, 1] - hips[:, 1]) / kp.image_size_px[1]
    verdict = "pass" if span >= MIN_RUNNER_HEIGHT_FRAC else "warn"
    return Check("runner_size", verdict, round(float(span), 3), f"hip-to-ankle >= {MIN_RUNNER_HEIGHT_FRAC:.0%} of frame height",
                 f"the legs fill {span:.0%} of the frame height", "move closer or zoom so the runner fills most of the frame")  # fmt: skip


class QualityGate:
    """Run all checks; ``checks_`` and ``verdict_`` (worst of all) after :meth:`check`."""

    def check(self, kp_raw: Keypoints, kp: Keypoints, cleaning: CleaningReport, strides: pd.DataFrame) -> "QualityGate":
        checks = [_fps_check(kp.sampling_rate_hz), _strides_check(strides), _confidence_check(kp_raw),
                  _running_check(strides), _swap_check(cleaning, kp.n_frames), _size_check(kp)]  # fmt: skip
        self.checks_ = [c for c in checks if c is not None]
        order = {"pass": 0, "warn": 1, "refuse": 2}
        self.verdict_ = max((c.verdict for c in self.checks_), key=order.__getitem__)
        return self

    @property
    def timing_reliable_(self) -> bool:
        return not any(c.name == "frame_rate" and c.verdict != "pass" and c.value is not None
                       and float(c.value) < UNRELIABLE_TIMING_FPS for c in self.checks_)  # fmt: skip
