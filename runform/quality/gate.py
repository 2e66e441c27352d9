"""Quality gate: is this clip good enough, and for which metrics? (docs/QUALITY.md)

Each check gives a verdict ``pass`` / ``warn`` / ``refuse`` with the measured value, the
threshold and a fix. One ``refuse`` means no metric or coaching verdict is given; warnings travel
with the results. ``timing_reliable_`` is False below 24 fps, or when fewer than 70 % of the events could be
timed from the foot itself: contact/flight time and duty factor are then marked unreliable while cadence, stride and angles are still reported.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from runform.keypoints import Keypoints
from runform.kinematics.calibration import Calibration
from runform.kinematics.clean import CleaningReport
from runform.quality import camera

WARN_FPS = 50.0  # one frame = 20 ms: contact time to about +/-10 ms (Young 2023; phone-app LoA +/-15 ms at 60 fps)
UNRELIABLE_TIMING_FPS = 24.0
REFUSE_FPS = 10.0
MIN_FRAME_HEIGHT_PX = 480
MIN_STRIDES_PER_SIDE = 4
REFUSE_STRIDES_PER_SIDE = 2
MIN_LEG_CONFIDENCE = 0.5
MIN_RUNNER_SPAN_FRAC = 0.2  # leg length / frame height (runner about 40 % of the frame height)
REFUSE_RUNNER_SPAN_FRAC = 0.08
MAX_HIP_SEPARATION_FRAC_LEG = 0.25  # hips overlap in a true side view
MAX_SHANK_LENGTH_SPREAD = 0.25  # (p90 - p10) / median shank length
MAX_OCCLUDED_FRAC = 0.2
REFUSE_OCCLUDED_FRAC = 0.6
MAX_DUTY_FACTOR_RUNNING = 0.62  # walking has double support: duty factor > 0.6 (Novacheck 1998)
MIN_RUNNING_CADENCE = 110.0  # steps/min; walking is 90-125, the slowest jogging ~140
MIN_PLAUSIBLE_CADENCE = 60.0  # below this with a running stride, the file's timestamps are slowed
MAX_SWAP_FRAC = 0.1
MIN_TIMED_FROM_FOOT_FRAC = 0.7

ORDER = {"pass": 0, "warn": 1, "refuse": 2}


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


def _grade(value: float, warn_below: float, refuse_below: float | None = None) -> str:
    if refuse_below is not None and value < refuse_below:
        return "refuse"
    return "warn" if value < warn_below else "pass"


@dataclass
class GateInput:
    raw: Keypoints
    kp: Keypoints
    cleaning: CleaningReport
    strides: pd.DataFrame
    calibration: Calibration
    surface_option: str = "auto"
    samples: list | None = None
    timed_from_foot_frac: float = 1.0  # share of events the detector timed from the foot itself


def event_timing(g: GateInput) -> Check:
    """Could the events be timed from the foot? Events it could not time are placed from the
    stance bracket and the foot's typical lag, which is good for cadence but not for contact time."""
    frac = g.timed_from_foot_frac
    verdict = "pass" if frac >= MIN_TIMED_FROM_FOOT_FRAC else "warn"
    return Check("event_timing", verdict, round(frac, 3), f">= {MIN_TIMED_FROM_FOOT_FRAC:.0%} of events timed from the foot",
                 f"{frac:.0%} of contacts and toe-offs were timed from the foot meeting or leaving the ground"
                 + ("" if verdict == "pass" else ": contact and flight time are unreliable"),
                 "" if verdict == "pass" else "keep both feet in view and sharp (faster shutter, more light)")  # fmt: skip


def frame_rate(g: GateInput) -> Check:
    fps = g.kp.sampling_rate_hz
    fix = "film at 60 fps or more"
    if fps < REFUSE_FPS:
        return Check("frame_rate", "refuse", round(fps, 2), f">= {REFUSE_FPS:g} fps", f"{fps:.1f} fps is too slow to see strides", fix)
    if fps < UNRELIABLE_TIMING_FPS:
        return Check("frame_rate", "warn", round(fps, 2), f">= {UNRELIABLE_TIMING_FPS:g} fps",
                     f"{fps:.1f} fps: contact and flight time are unreliable; cadence, stride and angles are reported", fix)  # fmt: skip
    if fps < WARN_FPS:
        return Check("frame_rate", "warn", round(fps, 2), f">= {WARN_FPS:g} fps",
                     f"{fps:.1f} fps: contact and flight time are only good to about +/- one frame ({1000 / fps:.0f} ms)", fix)  # fmt: skip
    return Check("frame_rate", "pass", round(fps, 2), f">= {WARN_FPS:g} fps", f"{fps:.1f} fps")


def resolution(g: GateInput) -> Check | None:
    if g.kp.image_size_px is None:
        return None
    height = min(g.kp.image_size_px)
    verdict = "warn" if height < MIN_FRAME_HEIGHT_PX else "pass"
    return Check("resolution", verdict, f"{g.kp.image_size_px[0]}x{g.kp.image_size_px[1]}", f"short side >= {MIN_FRAME_HEIGHT_PX} px",
                 f"{g.kp.image_size_px[0]}x{g.kp.image_size_px[1]} pixels", "film at 720p or more")  # fmt: skip


def runner_size(g: GateInput) -> Check | None:
    if g.kp.image_size_px is None:
        return None
    span = g.calibration.leg_length_px / g.kp.image_size_px[1]
    if not np.isfinite(span):
        return None
    return Check("runner_size", _grade(span, MIN_RUNNER_SPAN_FRAC, REFUSE_RUNNER_SPAN_FRAC), round(float(span), 3),
                 f"leg length >= {MIN_RUNNER_SPAN_FRAC:.0%} of frame height", f"the legs fill {span:.0%} of the frame height",
                 "move closer or zoom so the runner fills most of the frame height")  # fmt: skip


def obliqueness(g: GateInput) -> Check:
    kp, leg = g.kp, g.calibration.leg_length_px
    hip_sep = float(np.nanmedian(np.abs(kp.xy("left_hip")[:, 0] - kp.xy("right_hip")[:, 0]))) / leg
    spreads = []
    for side in ("left", "right"):
        shank = np.linalg.norm(kp.xy(f"{side}_knee") - kp.xy(f"{side}_ankle"), axis=1)
        if np.isfinite(shank).sum() > 10:
            p10, p50, p90 = np.nanpercentile(shank, [10, 50, 90])
            spreads.append((p90 - p10) / p50)
    spread = float(min(spreads)) if spreads else float("nan")
    oblique = hip_sep > MAX_HIP_SEPARATION_FRAC_LEG or spread > MAX_SHANK_LENGTH_SPREAD
    return Check("camera_obliqueness", "warn" if oblique else "pass", round(hip_sep, 3),
                 f"hip separation <= {MAX_HIP_SEPARATION_FRAC_LEG} leg, shank length spread <= {MAX_SHANK_LENGTH_SPREAD:.0%}",
                 f"hips {hip_sep:.2f} leg lengths apart, shank length varies {spread:.0%}",
                 "move the camera perpendicular to the running direction, at hip height")  # fmt: skip


def strides(g: GateInput) -> Check:
    counts = {s: int((g.strides["side"] == s).sum()) if len(g.strides) else 0 for s in ("left", "right")}
    fewest = min(counts.values())
    return Check("strides", _grade(fewest, MIN_STRIDES_PER_SIDE, REFUSE_STRIDES_PER_SIDE), fewest,
                 f">= {MIN_STRIDES_PER_SIDE} per side", f"{counts['left']} left and {counts['right']} right strides",
                 "film at least 10 s of steady running, side-on, whole body in frame")  # fmt: skip


def occlusion(g: GateInput) -> Check:
    frac = g.cleaning.fraction_missing_before_fill
    verdict = "refuse" if frac > REFUSE_OCCLUDED_FRAC else "warn" if frac > MAX_OCCLUDED_FRAC else "pass"
    return Check("occlusion", verdict, round(frac, 3), f"<= {MAX_OCCLUDED_FRAC:.0%} of leg landmarks missing",
                 f"{frac:.0%} of leg landmarks were missing or low-confidence",
                 "keep the whole runner in view; avoid treadmill consoles, rails and people in front")  # fmt: skip


def confidence(g: GateInput) -> Check:
    raw = g.raw
    legs = [raw.index(n) for n in raw.names if n.split("_", 1)[-1] in ("knee", "ankle", "heel", "foot_index")]
    values = raw.confidence[:, legs]
    conf = float(np.nanmean(values)) if np.isfinite(values).any() else 0.0
    return Check("keypoint_confidence", "pass" if conf >= MIN_LEG_CONFIDENCE else "warn", round(conf, 3),
                 f">= {MIN_LEG_CONFIDENCE}", f"mean leg landmark confidence {conf:.2f}",
                 "use brighter light, a plain background, contrasting clothes and a faster shutter")  # fmt: skip


def leg_swaps(g: GateInput) -> Check:
    frac = g.cleaning.n_swapped_frames / max(g.kp.n_frames, 1)
    return Check("leg_swaps", "warn" if frac > MAX_SWAP_FRAC else "pass", g.cleaning.n_swapped_frames,
                 f"<= {MAX_SWAP_FRAC:.0%} of frames", f"{g.cleaning.n_swapped_frames} frames had left/right legs exchanged "
                 "by the pose model and were repaired", "film perpendicular to the running direction; contrasting socks help")  # fmt: skip


def people(g: GateInput) -> Check:
    jumps = camera.tracking_jumps(g.raw, g.calibration.leg_length_px)
    return Check("multiple_people", "warn" if jumps else "pass", jumps, "0 tracking jumps",
                 "the tracked body jumped or was lost and found again " f"{jumps} times: another person may have been "
                 "tracked; the analysed runner is the most prominent person" if jumps else "one runner tracked throughout",
                 "film one runner alone, or crop the clip to the runner")  # fmt: skip


def panning_and_surface(g: GateInput) -> list[Check]:
    shift = camera.background_shift_frac_per_s(g.samples or [], g.raw)
    travel = camera.pelvis_travel_frac_leg(g.kp, g.calibration.leg_length_px)
    panning = shift is not None and shift > camera.PANNING_FRAC_WIDTH_PER_S
    checks = [Check("camera_panning", "warn" if panning else "pass", None if shift is None else round(shift, 4),
                    f"background shift <= {camera.PANNING_FRAC_WIDTH_PER_S} frame widths/s",
                    "the camera pans: lengths from height or a known distance are approximate" if panning else
                    ("camera still" if shift is not None else "not measured (no video frames)"),
                    "use a tripod and let the runner cross the frame, or film on a treadmill")]  # fmt: skip
    if np.isfinite(travel):
        detected = "overground" if (travel > 1.0 or panning) else "treadmill"
        verdict = "warn" if g.surface_option not in ("auto", detected) else "pass"
        checks.append(Check("surface", verdict, detected, "detected vs --surface",
                            f"{detected} (pelvis moved {travel:.1f} leg lengths across the image"
                            + (", camera panning)" if panning else ")"),
                            "check --surface" if verdict == "warn" else ""))  # fmt: skip
    return checks


def running(g: GateInput) -> list[Check]:
    if g.strides.empty:
        return [Check("running", "refuse", None, "a running stride", "no complete gait cycle was found", "film a runner from the side")]
    duty = float(g.strides["duty_factor"].median())
    cadence = float(g.strides["cadence_steps_per_min"].median())
    if cadence < MIN_PLAUSIBLE_CADENCE and duty <= MAX_DUTY_FACTOR_RUNNING:
        return [Check("slow_motion", "refuse", round(cadence, 1), f"cadence >= {MIN_PLAUSIBLE_CADENCE:g} steps/min",
                      f"a running stride at {cadence:.0f} steps/min: the file's timestamps look slowed down (slow motion)",
                      "give the true capture rate with --real-fps, e.g. --real-fps 240")]  # fmt: skip
    walking = duty > MAX_DUTY_FACTOR_RUNNING or cadence < MIN_RUNNING_CADENCE
    return [Check("running", "refuse" if walking else "pass", round(duty, 3),
                  f"duty factor <= {MAX_DUTY_FACTOR_RUNNING} and cadence >= {MIN_RUNNING_CADENCE:g} steps/min",
                  (f"not running (walking): duty factor {duty:.2f}, cadence {cadence:.0f} steps/min" if walking
                   else f"running: duty factor {duty:.2f}, cadence {cadence:.0f} steps/min"),
                  "film running, not walking; knee-drive advice needs a running stride" if walking else "")]  # fmt: skip


CHECKS = (frame_rate, event_timing, resolution, runner_size, obliqueness, strides, occlusion, confidence, leg_swaps, people)


class QualityGate:
    """Run all checks; fills ``checks_`` and ``verdict_`` (the worst verdict)."""

    def check(self, g: GateInput) -> "QualityGate":
        found = [check(g) for check in CHECKS] + panning_and_surface(g) + running(g)
        self.checks_ = [c for c in found if c is not None]
        self.verdict_ = max((c.verdict for c in self.checks_), key=ORDER.__getitem__)
        return self

    @property
    def timing_reliable_(self) -> bool:
        fps = next((c.value for c in self.checks_ if c.name == "frame_rate"), None)
        timing = next((c for c in self.checks_ if c.name == "event_timing"), None)
        return (fps is None or float(fps) >= UNRELIABLE_TIMING_FPS) and (timing is None or timing.verdict == "pass")

    @property
    def refusals_(self) -> list[Check]:
        return [c for c in self.checks_ if c.verdict == "refuse"]
