"""Pixels to metres: from treadmill belt speed, a known distance, or the runner's height.

Priority: belt speed (most accurate for a treadmill: the planted foot moves at belt speed), then
a known distance marked in the frame, then height. With none of them, lengths stay in pixels and
are labelled ``_px`` everywhere.

Height rule: thigh + shank = 0.491 x standing height (Winter 2009, *Biomechanics and Motor Control
of Human Movement*, 4th ed., segment lengths 0.245 H and 0.246 H). The segment lengths are the
90th percentile over frames of the better-tracked leg, so out-of-plane foreshortening and
tracking noise do not shrink them. Expect +/-5 % (pose landmarks are not joint centres).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from runform.config import Config
from runform.kinematics.angles import pelvis_xy
from runform.model import Calibration, Keypoints

logger = logging.getLogger(__name__)

THIGH_PLUS_SHANK_FRAC_HEIGHT = 0.491
#: Thigh + shank lengths (m) a scale may give the runner: 0.491 x a stature of about 0.9 to 2.6 m.
#: Outside, the scale option is wrong (a belt speed in km/h given as m/s makes the leg 3.6x too
#: long) and is not used; runform falls back to the next scale it has.
PLAUSIBLE_LEG_M = (0.45, 1.3)
#: A scale that puts the leg this far (as a fraction) from 0.491 x --height disagrees with the height.
HEIGHT_AGREEMENT_FRAC = 0.15
SEGMENT_PERCENTILE = 90
#: A same-foot contact-to-contact span longer than this many typical strides holds a lost stance:
#: not used for the pelvis's mean velocity.
MAX_STRIDE_FRACTION = 1.5
#: The planted foot's velocity is read over the stance without this share at each end (the middle
#: 60 %: the foot is flat and moves with the ground; docs/ACCURACY.md, "Running speed").
STANCE_EDGE_FRAC = 0.2


def leg_length_px(kp: Keypoints) -> float:
    """Thigh + shank length in pixels (90th percentile over frames, better leg)."""
    best = np.nan
    for side in ("left", "right"):
        total = kp.leg_length_px(side)
        if np.isfinite(total).sum() > 5:
            value = float(np.nanpercentile(total, SEGMENT_PERCENTILE))
            best = value if not np.isfinite(best) else max(best, value)
    return best


def stance_speed_px_s(kp: Keypoints, events: pd.DataFrame, direction: int) -> float:
    """Runner's speed over the ground in pixels/s, median over every stance of both feet: the
    pelvis's mean forward velocity over the stride that starts with the stance (contact to the
    same foot's next contact; the stride before it for a foot's last stance) minus the planted
    foot's forward velocity over the middle 60 % of the stance (between contact and toe-off).

    Both terms are image velocities, so a fixed camera gives the belt speed on a treadmill (the
    foot moves with the belt, the pelvis stays) and the running speed overground (the foot stays,
    the pelvis moves); a camera panning at a steady speed shifts both terms alike. The pelvis's
    velocity *during* the stance is not used: the body brakes and pushes off while the foot is
    down, so mid-stance it moves 5-7 % slower than on average (on the RBDS runners: the planted
    foot's speed relative to the pelvis read the belt speed 5-6.5 % low; docs/ACCURACY.md,
    "Running speed"). Comparing two same-phase moments also cancels a pose model's phase-locked
    hip error (BlazePose's hip slides with thigh flexion)."""
    t = kp.time_s
    pelvis = direction * pelvis_xy(kp)[:, 0]
    speeds = []
    for side in ("left", "right"):
        foot = direction * (kp.xy(f"{side}_heel")[:, 0] + kp.xy(f"{side}_foot_index")[:, 0]) / 2
        foot_velocity = np.gradient(foot, t)
        ev = events[events["side"] == side].sort_values("time_s")
        contacts = ev.loc[ev["event"] == "contact", "time_s"].to_numpy(float)
        toe_offs = ev.loc[ev["event"] == "toe_off", "time_s"].to_numpy(float)
        if len(contacts) < 2:
            continue
        longest = MAX_STRIDE_FRACTION * float(np.median(np.diff(contacts)))  # no stride across a lost stance
        for k, t0 in enumerate(contacts):
            after = toe_offs[toe_offs > t0]
            if not len(after) or (k + 1 < len(contacts) and after[0] >= contacts[k + 1]):
                continue  # no toe-off of this stance: the window would run into the swing
            t1 = after[0]
            a, b = (t0, contacts[k + 1]) if k + 1 < len(contacts) else (contacts[k - 1], t0)
            inside = (t > t0 + STANCE_EDGE_FRAC * (t1 - t0)) & (t < t1 - STANCE_EDGE_FRAC * (t1 - t0))
            if b - a > longest or not inside.any():
                continue
            pelvis_velocity = (np.interp(b, t, pelvis) - np.interp(a, t, pelvis)) / (b - a)
            speeds.append(pelvis_velocity - np.nanmedian(foot_velocity[inside]))
    return float(np.nanmedian(speeds)) if np.isfinite(speeds).any() else float("nan")


#: The scale a calibration method stands for, as a doubt about an option not used names it.
FALLBACK_WORDS = {"treadmill_speed": "the belt speed", "known_distance": "--known-distance",
                  "camera": "the motion capture's own scale", "height": "--height", "none": "pixels (no other scale given)"}  # fmt: skip


def _doubt(px_per_m: float, leg_px: float, what: str, fix: str, config: Config,
           exact: bool = False) -> tuple[bool, tuple[str, str] | None]:  # fmt: skip
    """(use the scale?, a (message, fix) for the quality gate's ``scale`` check, or None). A scale
    that gives the runner no human leg is not used, unless ``exact`` (the source's own, e.g. motion
    capture's: used, and its units doubted); one that disagrees with --height is used (the belt
    speed or distance is the better scale) but said."""
    if not (np.isfinite(leg_px) and leg_px > 0 and np.isfinite(px_per_m) and px_per_m > 0):
        return bool(np.isfinite(px_per_m) and px_per_m > 0), None
    leg_m = leg_px / px_per_m
    low, high = PLAUSIBLE_LEG_M
    if not low <= leg_m <= high:
        consequence = "lengths use it all the same (it is the file's own)" if exact else "not used for scale"
        return exact, (f"{what} makes the runner's leg (hip to ankle) {leg_m:.2f} m long, not {low:.2f}-{high:.2f} m: "
                       f"{consequence}", fix)  # fmt: skip
    if config.height_m is not None:
        expected = THIGH_PLUS_SHANK_FRAC_HEIGHT * config.height_m
        if abs(leg_m - expected) > HEIGHT_AGREEMENT_FRAC * expected:
            return True, (f"{what} makes the runner's leg {leg_m:.2f} m long, but --height {config.height_m:.2f} m means "
                          f"about {expected:.2f} m: lengths use {what}", "check both")  # fmt: skip
    return True, None


def _outside_frame(points: tuple[tuple[float, float], ...], size_px: tuple[int, int] | None) -> str:
    """Which of ``points`` lie outside a frame of ``size_px`` (width, height), in words; empty when
    all are inside or the frame size is not known."""
    if not size_px:
        return ""
    width, height = size_px
    out = [f"({x:g}, {y:g})" for x, y in points if not (0 <= x <= width and 0 <= y <= height)]
    return f"{' and '.join(out)} {'lies' if len(out) == 1 else 'lie'} outside the {width} x {height} frame" if out else ""


def calibrate(kp: Keypoints, events: pd.DataFrame, direction: int, config: Config) -> Calibration:
    """The first scale that works: belt speed, known distance, the source's own (motion capture),
    height, else none. ``Calibration.doubts`` says which given scale was not used or is in doubt."""
    speed_px = stance_speed_px_s(kp, events, direction)
    leg_px = leg_length_px(kp)
    doubts: list[tuple[str, str, bool]] = []  # (message, fix, the option was used)

    def made(method: str, px_per_m: float | None) -> Calibration:  # an option not used names what it gave way to
        said = tuple((m if used else f"{m}; lengths use {FALLBACK_WORDS[method]}", f) for m, f, used in doubts)
        return Calibration(method, px_per_m, speed_px, leg_px, doubts=said)

    if config.treadmill_speed_mps is not None:
        if np.isfinite(speed_px) and speed_px > 0:
            scale = speed_px / config.treadmill_speed_mps
            use, doubt = _doubt(scale, leg_px, f"the belt speed {config.treadmill_speed_mps:.3g} m/s",
                                "check the belt speed and its unit: 3.5 (m/s), 12.6km/h or 8mph", config)  # fmt: skip
            doubts += [(*doubt, use)] if doubt else []
            if use:
                return made("treadmill_speed", scale)
        else:  # said by the gate's scale check, like a belt speed that gives no human leg
            doubts.append((f"the belt speed {config.treadmill_speed_mps:.3g} m/s cannot be used for scale: no stance with "
                           "a foot moving back with the belt was found", "film the feet on the belt, whole and sharp; leave out --treadmill-speed off a treadmill", False))  # fmt: skip
    if config.known_distance is not None:
        x1, y1, x2, y2, metres = config.known_distance
        scale = float(np.hypot(x2 - x1, y2 - y1) / metres)
        where = "the two points' pixel coordinates (x right, y down, in the clip's upright frame)"
        outside = _outside_frame(((x1, y1), (x2, y2)), kp.image_size_px)
        if outside:
            doubts.append((f"--known-distance cannot be used for scale: {outside}", f"check {where}", False))
        else:
            use, doubt = _doubt(scale, leg_px, f"--known-distance ({metres:g} m between the two points)",
                                f"check {where} and the metres", config)  # fmt: skip
            doubts += [(*doubt, use)] if doubt else []
            if use:
                return made("known_distance", scale)
    if kp.px_per_m is not None and np.isfinite(kp.px_per_m) and kp.px_per_m > 0:  # projected motion capture: exact
        use, doubt = _doubt(float(kp.px_per_m), leg_px, "the motion capture's own scale",
                            "check the file's units (mm, cm or m) and --height", config, exact=True)  # fmt: skip
        doubts += [(*doubt, use)] if doubt else []
        return made("camera", float(kp.px_per_m))
    if config.height_m is not None:
        if np.isfinite(leg_px):
            return made("height", leg_px / (THIGH_PLUS_SHANK_FRAC_HEIGHT * config.height_m))
        logger.warning("the height cannot be used for scale: the leg length could not be measured; lengths stay in pixels")
    return made("none", None)
