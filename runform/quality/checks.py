"""The quality checks (docs/QUALITY.md). Each is a :class:`BaseQualityCheck` whose thresholds are
``__init__`` parameters; the defaults are the constants below, each with its source."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from runform.kinematics import real_fps_fix
from runform.model import Check, Keypoints, frames_in_passes
from runform.quality import camera
from runform.quality.base import BaseQualityCheck, GateInput, grade

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
MIN_RUNNING_CADENCE_STEPS_PER_MIN = 110.0  # walking is 90-125, the slowest jogging ~140
#: A stride with a flight phase (duty factor at most this) below the running cadence is running
#: filmed in slow motion: runners' duty factor is 0.2-0.45 (RBDS 0.31-0.42; the shared clip 0.42).
MAX_DUTY_FACTOR_SLOW_MOTION = 0.5
TYPICAL_RUNNING_CADENCE_STEPS_PER_MIN = 170.0  # to estimate a slow-motion factor
#: Faster than any runner: elite sprinters reach 4.3-5.0 steps/s at top speed (Salo et al. 2011,
#: Med Sci Sports Exerc 43:1055), 260-300 steps/min; a faster stride means the clip's time runs
#: fast (a --real-fps higher than the capture rate, a keypoint file's time in other units).
MAX_RUNNING_CADENCE_STEPS_PER_MIN = 330.0
MAX_SWAP_FRAC = 0.1
#: Repeated pictures (a clip saved at a higher rate than it was filmed, frozen stretches) beyond
#: this share of the frames are worth a warning; isolated duplicates from a phone's rate conversion are not.
MAX_REPEATED_FRAC = 0.02
MIN_TIMED_FROM_FOOT_FRAC = 0.7  # below this, most contact times would rest on the lag fallback
#: Runner choice confidence (1 - second / best running score) below which the gate warns: a walker
#: or bystander scores <= 0.6 of a runner on the shared-clip composites (confidence >= 0.4), two
#: runners alike score within 30 % of each other (tests/integration/test_person.py).
MIN_CHOICE_CONFIDENCE = 0.3


@dataclass
class FrameRate(BaseQualityCheck):
    """Frame rate: refuse below ``refuse_fps``; timing metrics unreliable below ``unreliable_timing_fps``."""

    warn_fps: float = WARN_FPS
    unreliable_timing_fps: float = UNRELIABLE_TIMING_FPS
    refuse_fps: float = REFUSE_FPS

    def _evaluate(self, g: GateInput) -> list[Check]:
        fps = picture_rate_hz(g.raw, g.kp)
        fix, rate = "film at 60 fps or more", f"{fps:.1f} fps"
        if _fast_skipped(g):  # --fast: the pose model ran on every other frame
            fix, rate = "leave out --fast to time contact and flight, or film at 60 fps or more", f"{fps:.1f} fps (--fast: every other frame)"
        if fps < self.refuse_fps:
            return [Check("frame_rate", "refuse", round(fps, 2), f">= {self.refuse_fps:g} fps", f"{rate} is too slow to see strides", fix)]  # fmt: skip
        if fps < self.unreliable_timing_fps:
            return [Check("frame_rate", "warn", round(fps, 2), f">= {self.unreliable_timing_fps:g} fps",
                          f"{rate}: contact and flight time are unreliable; cadence, stride and angles are reported", fix)]  # fmt: skip
        if fps < self.warn_fps:
            return [Check("frame_rate", "warn", round(fps, 2), f">= {self.warn_fps:g} fps",
                          f"{rate}: contact and flight time are only good to about +/- one frame ({1000 / fps:.0f} ms)", fix)]  # fmt: skip
        return [Check("frame_rate", "pass", round(fps, 2), f">= {self.warn_fps:g} fps", rate)]


def _fast_skipped(g: GateInput) -> bool:
    """Did the pose model skip frames (``--fast``: it ran on every ``pose_frame_step``-th frame)?"""
    return int((g.video or {}).get("pose_frame_step") or 1) > 1


@dataclass
class EventTiming(BaseQualityCheck):
    """Could the events be timed from the foot? Events the detector could not time are placed from
    the stance bracket and the foot's typical lag: good for cadence, not for contact time."""

    min_timed_from_foot_frac: float = MIN_TIMED_FROM_FOOT_FRAC

    def _evaluate(self, g: GateInput) -> list[Check]:
        frac = g.timed_from_foot_frac
        ok = frac >= self.min_timed_from_foot_frac
        return [Check("event_timing", "pass" if ok else "warn", round(frac, 3),
                      f">= {self.min_timed_from_foot_frac:.0%} of events timed from the foot",
                      f"{frac:.0%} of contacts and toe-offs were timed from the foot meeting or leaving the ground"
                      + ("" if ok else ": contact and flight time are unreliable"),
                      "" if ok else "keep both feet in view and sharp (faster shutter, more light)")]  # fmt: skip


@dataclass
class VideoComplete(BaseQualityCheck):
    """Did decoding reach the clip's stated end (video only)? A truncated file (an interrupted copy or
    upload whose index still lists every frame) is analysed as far as it decodes, with this warning."""

    def _evaluate(self, g: GateInput) -> list[Check]:
        if not g.video or not g.video.get("duration_s"):
            return []
        duration_s, stopped_s = float(g.video["duration_s"]), g.video.get("decoding_stopped_at_s")
        if stopped_s is None:
            return [Check("video_complete", "pass", round(duration_s, 2), "every frame decodes",
                          f"decoding reached the end of the analysed part of the {duration_s:.1f} s clip")]  # fmt: skip
        sure = g.video.get("duration_from_video_track", True)
        what = ("the file looks truncated" if sure else
                "the file's stated duration may include a longer sound track, or the file is truncated")  # fmt: skip
        return [Check("video_complete", "warn", float(stopped_s), f"decoding reaches the clip's end ({duration_s:.1f} s)",
                      f"decoding stopped at {stopped_s:.1f} s of the clip's {duration_s:.1f} s (as filmed, before any "
                      f"--real-fps): {what}; only the frames up to there are analysed",
                      "if the clip is longer than that, copy or upload it again from the camera")]  # fmt: skip


@dataclass
class Resolution(BaseQualityCheck):
    """Short side of the frame (video only)."""

    min_frame_height_px: int = MIN_FRAME_HEIGHT_PX

    def _evaluate(self, g: GateInput) -> list[Check]:
        if g.kp.image_size_px is None:
            return []
        width, height = g.kp.image_size_px
        verdict = "warn" if min(width, height) < self.min_frame_height_px else "pass"
        return [Check("resolution", verdict, f"{width}x{height}", f"short side >= {self.min_frame_height_px} px",
                      f"{width}x{height} pixels", "film at 720p or more")]  # fmt: skip


@dataclass
class RunnerSize(BaseQualityCheck):
    """Leg length as a fraction of the frame height."""

    min_span_frac: float = MIN_RUNNER_SPAN_FRAC
    refuse_span_frac: float = REFUSE_RUNNER_SPAN_FRAC

    def _evaluate(self, g: GateInput) -> list[Check]:
        if g.kp.image_size_px is None:
            return []
        span = g.calibration.leg_length_px / g.kp.image_size_px[1]
        if not np.isfinite(span):
            return []
        return [Check("runner_size", grade(span, self.min_span_frac, self.refuse_span_frac), round(float(span), 3),
                      f"leg length >= {self.min_span_frac:.0%} of frame height", f"the legs fill {span:.0%} of the frame height",
                      "move closer or zoom so the runner fills most of the frame height")]  # fmt: skip


@dataclass
class CameraObliqueness(BaseQualityCheck):
    """Hip separation and shank-length spread: both small in a true side view."""

    max_hip_separation_frac_leg: float = MAX_HIP_SEPARATION_FRAC_LEG
    max_shank_length_spread: float = MAX_SHANK_LENGTH_SPREAD

    def _evaluate(self, g: GateInput) -> list[Check]:
        kp, leg = g.kp, g.calibration.leg_length_px
        hip_sep = float(np.nanmedian(np.abs(kp.xy("left_hip")[:, 0] - kp.xy("right_hip")[:, 0]))) / leg
        spreads = []
        for side in ("left", "right"):
            shank = np.linalg.norm(kp.xy(f"{side}_knee") - kp.xy(f"{side}_ankle"), axis=1)
            if np.isfinite(shank).sum() > 10:
                p10, p50, p90 = np.nanpercentile(shank, [10, 50, 90])
                spreads.append((p90 - p10) / p50)
        spread = float(min(spreads)) if spreads else float("nan")
        oblique = hip_sep > self.max_hip_separation_frac_leg or spread > self.max_shank_length_spread
        return [Check("camera_obliqueness", "warn" if oblique else "pass", round(hip_sep, 3),
                      f"hip separation <= {self.max_hip_separation_frac_leg} leg, shank length spread <= {self.max_shank_length_spread:.0%}",
                      f"hips {hip_sep:.2f} leg lengths apart, shank length varies {spread:.0%}",
                      "move the camera perpendicular to the running direction, at hip height")]  # fmt: skip


def picture_rate_hz(raw: Keypoints, kp: Keypoints) -> float:
    """The rate of the frames with a picture of their own (``raw.observed``: not skipped by
    ``--fast``, not repeating the previous picture), what timing accuracy depends on; the cleaned
    keypoints' rate when every frame has one."""
    if raw.observed is None or raw.observed.all():
        return kp.sampling_rate_hz
    return raw.observed_rate_hz


def observed_share(raw: Keypoints) -> float:
    """Share of the frames with a picture of their own (1.0 without an ``observed`` mask)."""
    return 1.0 if raw.observed is None or not len(raw.observed) else float(raw.observed.mean())


@dataclass
class RepeatedFrames(BaseQualityCheck):
    """Frames repeating the previous picture (video only; :mod:`runform.pose.repeats`): left out of
    the analysis, and the frame-rate check judges the rate of the pictures that remain."""

    max_repeated_frac: float = MAX_REPEATED_FRAC

    def _evaluate(self, g: GateInput) -> list[Check]:
        if not g.video or "repeated_frames" not in g.video:
            return []
        n, total = int(g.video["repeated_frames"]), max(g.raw.n_frames, 1)
        if n == 0:
            return [Check("repeated_frames", "pass", 0, f"<= {self.max_repeated_frac:.0%} of frames", "every frame is a new picture")]
        verdict = "warn" if n / total > self.max_repeated_frac else "pass"
        return [Check("repeated_frames", verdict, n, f"<= {self.max_repeated_frac:.0%} of frames",
                      f"{g.video.get('repeated_frames_text') or f'{n} of {total} frames repeat the previous picture'}; "
                      f"they are left out, and timing is judged at the {picture_rate_hz(g.raw, g.kp):.3g} fps of the pictures that remain",
                      "export the clip at the frame rate it was filmed at, and trim frozen stretches")]  # fmt: skip


class Scale(BaseQualityCheck):
    """A scale option that was not used (it gave the runner no human leg) or disagrees with the
    height: said here, so that the report, the web app and analysis.json show it, not a log line."""

    def _evaluate(self, g: GateInput) -> list[Check]:
        doubts = g.calibration.doubts if g.calibration is not None else ()
        if not doubts:
            return []
        return [Check("scale", "warn", g.calibration.method, "a scale that gives the runner a 0.45-1.3 m leg, agreeing with --height",
                      "; ".join(message for message, _ in doubts), "; ".join(fix for _, fix in doubts))]  # fmt: skip


@dataclass
class StrideCount(BaseQualityCheck):
    """Complete strides of the side with fewest."""

    min_strides_per_side: int = MIN_STRIDES_PER_SIDE
    refuse_strides_per_side: int = REFUSE_STRIDES_PER_SIDE

    def _evaluate(self, g: GateInput) -> list[Check]:
        counts = {s: int((g.strides["side"] == s).sum()) if len(g.strides) else 0 for s in ("left", "right")}
        fewest = min(counts.values())
        return [Check("strides", grade(fewest, self.min_strides_per_side, self.refuse_strides_per_side), fewest,
                      f">= {self.min_strides_per_side} per side", f"{counts['left']} left and {counts['right']} right strides",
                      "film at least 10 s of steady running, side-on, whole body in frame")]  # fmt: skip


@dataclass
class Occlusion(BaseQualityCheck):
    """Fraction of leg landmarks missing or low-confidence before gap filling, in the frames of the
    runner's passes (whole body in view) when the video has them: outside them the runner is not in
    view, which is not occlusion."""

    max_occluded_frac: float = MAX_OCCLUDED_FRAC
    refuse_occluded_frac: float = REFUSE_OCCLUDED_FRAC

    def _evaluate(self, g: GateInput) -> list[Check]:
        frac = g.cleaning.fraction_missing_before_fill
        # frames without a picture of their own (--fast, repeats) and outside the passes (runner out of
        # view) are empty, not occluded: the share over the other frames (each empty frame counted once)
        empty = np.zeros(g.raw.n_frames, dtype=bool) if g.raw.observed is None else ~np.asarray(g.raw.observed)
        if g.persons is not None and g.persons.passes:
            empty |= ~frames_in_passes(g.persons.passes, g.raw.n_frames)
        share = float(empty.mean()) if g.raw.n_frames else 0.0
        if 0.0 < share < 1.0:
            frac = max(frac - share, 0.0) / (1.0 - share)
        verdict = "refuse" if frac > self.refuse_occluded_frac else "warn" if frac > self.max_occluded_frac else "pass"
        return [Check("occlusion", verdict, round(frac, 3), f"<= {self.max_occluded_frac:.0%} of leg landmarks missing",
                      f"{frac:.0%} of leg landmarks were missing or low-confidence",
                      "keep the whole runner in view; avoid treadmill consoles, rails and people in front")]  # fmt: skip


@dataclass
class KeypointConfidence(BaseQualityCheck):
    """Mean raw confidence of the knee, ankle, heel and toe landmarks."""

    min_leg_confidence: float = MIN_LEG_CONFIDENCE

    def _evaluate(self, g: GateInput) -> list[Check]:
        raw = g.raw
        legs = [raw.index(n) for n in raw.names if n.split("_", 1)[-1] in ("knee", "ankle", "heel", "foot_index")]
        values = raw.confidence[:, legs]
        conf = float(np.nanmean(values)) if np.isfinite(values).any() else 0.0
        return [Check("keypoint_confidence", "pass" if conf >= self.min_leg_confidence else "warn", round(conf, 3),
                      f">= {self.min_leg_confidence}", f"mean leg landmark confidence {conf:.2f}",
                      "use brighter light, a plain background, contrasting clothes and a faster shutter")]  # fmt: skip


@dataclass
class LegSwaps(BaseQualityCheck):
    """Frames whose left/right legs the pose model exchanged (repaired by cleaning)."""

    max_swap_frac: float = MAX_SWAP_FRAC

    def _evaluate(self, g: GateInput) -> list[Check]:
        n = g.cleaning.n_swapped_frames
        frac = n / max(g.kp.n_frames, 1)
        return [Check("leg_swaps", "warn" if frac > self.max_swap_frac else "pass", n,
                      f"<= {self.max_swap_frac:.0%} of frames", f"{n} frames had left/right legs exchanged "
                      "by the pose model and were repaired", "film perpendicular to the running direction; contrasting socks help")]  # fmt: skip


@dataclass
class MultiplePeople(BaseQualityCheck):
    """Tracking jumps: the pose model may have switched to another person (the runner entering the
    frame at the start of an overground pass is not one)."""

    def _evaluate(self, g: GateInput) -> list[Check]:
        raw, entries = g.raw, tuple(a for a, _ in g.persons.passes) if g.persons is not None else ()
        if observed_share(raw) < 1.0:  # only the frames with a picture of their own (--fast, repeated pictures)
            kept = np.flatnonzero(raw.observed)
            raw, entries = raw.frames(kept), tuple(int(np.searchsorted(kept, a)) for a in entries)
        jumps = camera.tracking_jumps(raw, g.calibration.leg_length_px, entries=entries)
        if g.video is None:  # a keypoint or motion-capture file: gaps in the file, not another person
            return [Check("multiple_people", "warn" if jumps else "pass", jumps, "0 tracking jumps",
                          f"the body in the file jumped or went missing and came back {jumps} times" if jumps
                          else "the body in the file never jumped", "check the file's gaps and its person's identity")]  # fmt: skip
        return [Check("multiple_people", "warn" if jumps else "pass", jumps, "0 tracking jumps",
                      "the tracked body jumped or was lost and found again " f"{jumps} times: another person may have been "
                      "tracked; the analysed runner is the most prominent person" if jumps else "the followed body never jumped to another person",
                      "film one runner alone, or crop the clip to the runner")]  # fmt: skip


@dataclass
class CameraPanningAndSurface(BaseQualityCheck):
    """Camera panning from the sampled frames, then the surface it implies (vs ``--surface``)."""

    panning_frac_width_per_s: float = camera.PANNING_FRAC_WIDTH_PER_S

    def _evaluate(self, g: GateInput) -> list[Check]:
        shift = camera.background_shift_frac_per_s(g.samples or [], g.raw)
        travel = camera.pelvis_travel_frac_leg(g.kp, g.calibration.leg_length_px)
        panning = shift is not None and shift > self.panning_frac_width_per_s
        checks = [Check("camera_panning", "warn" if panning else "pass", None if shift is None else round(shift, 4),
                        f"background shift <= {self.panning_frac_width_per_s} frame widths/s",
                        "the camera pans: lengths from height or a known distance are approximate" if panning else
                        ("camera still" if shift is not None else "not measured (no video frames)"),
                        "use a tripod and let the runner cross the frame, or film on a treadmill")]  # fmt: skip
        if np.isfinite(travel):
            detected = "overground" if (travel > camera.OVERGROUND_TRAVEL_FRAC_LEG or panning) else "treadmill"
            verdict = "warn" if g.surface_option not in ("auto", detected) else "pass"
            checks.append(Check("surface", verdict, detected, "detected vs --surface",
                                f"{detected} (pelvis moved {travel:.1f} leg lengths across the image"
                                + (", camera panning)" if panning else ")"),
                                "check --surface" if verdict == "warn" else ""))  # fmt: skip
        return checks


@dataclass
class Running(BaseQualityCheck):
    """A running stride (not walking), at a plausible cadence (not slowed-down or sped-up timestamps)."""

    max_duty_factor_running: float = MAX_DUTY_FACTOR_RUNNING
    min_running_cadence_steps_per_min: float = MIN_RUNNING_CADENCE_STEPS_PER_MIN
    max_running_cadence_steps_per_min: float = MAX_RUNNING_CADENCE_STEPS_PER_MIN
    max_duty_factor_slow_motion: float = MAX_DUTY_FACTOR_SLOW_MOTION

    def _evaluate(self, g: GateInput) -> list[Check]:
        checks = self._verdict(g)
        if g.raw.time_scale != 1.0:  # the clip's time was rescaled (--real-fps)
            # (slow_motion's own fix already weighs the rescaling: real_fps_fix)
            checks = [replace(c, fix=f"{c.fix}; check --real-fps: it rescaled the clip's time" if c.fix else "")
                      if c.verdict == "refuse" and c.name != "slow_motion" else c for c in checks]  # fmt: skip
        return checks

    def _verdict(self, g: GateInput) -> list[Check]:
        if g.strides.empty:
            cadence = 120.0 * g.cleaning.stride_frequency_hz  # the legs' rhythm, when no stride was complete
            if np.isfinite(cadence) and cadence < self.min_running_cadence_steps_per_min:
                return [Check("running", "refuse", None, f"cadence >= {self.min_running_cadence_steps_per_min:g} steps/min",
                              f"not running (walking): no complete stride, and the legs swing at {cadence:.0f} steps/min",
                              "film running, not walking; knee-drive advice needs a running stride")]  # fmt: skip
            return [Check("running", "refuse", None, "a running stride", "no complete gait cycle was found",
                          "film a runner from the side")]  # fmt: skip
        duty = float(g.strides["duty_factor"].median())
        cadence = float(g.strides["cadence_steps_per_min"].median())
        if cadence < self.min_running_cadence_steps_per_min and duty <= self.max_duty_factor_slow_motion:
            factor = TYPICAL_RUNNING_CADENCE_STEPS_PER_MIN / cadence
            return [Check("slow_motion", "refuse", round(cadence, 1), f"cadence >= {self.min_running_cadence_steps_per_min:g} steps/min",
                          f"a running stride (duty factor {duty:.2f}, with flight) at only {cadence:.0f} steps/min: "
                          f"the file looks like about {factor:.1f}x slow motion", real_fps_fix(g.raw, factor))]  # fmt: skip
        if cadence > self.max_running_cadence_steps_per_min:
            return [Check("sped_up", "refuse", round(cadence, 1), f"cadence <= {self.max_running_cadence_steps_per_min:g} steps/min",
                          f"a stride at {cadence:.0f} steps/min is faster than any runner (sprinters reach about 300): "
                          f"the clip's time looks about {cadence / TYPICAL_RUNNING_CADENCE_STEPS_PER_MIN:.1f}x too fast",
                          "give the clip's true time: --real-fps only for slow motion, and a keypoint file's time_s in seconds")]  # fmt: skip
        walking = duty > self.max_duty_factor_running or cadence < self.min_running_cadence_steps_per_min
        return [Check("running", "refuse" if walking else "pass", round(duty, 3),
                      f"duty factor <= {self.max_duty_factor_running} and cadence >= {self.min_running_cadence_steps_per_min:g} steps/min",
                      (f"not running (walking): duty factor {duty:.2f}, cadence {cadence:.0f} steps/min" if walking
                       else f"running: duty factor {duty:.2f}, cadence {cadence:.0f} steps/min"),
                      "film running, not walking; knee-drive advice needs a running stride" if walking else "")]  # fmt: skip


@dataclass
class PersonChoice(BaseQualityCheck):
    """Whom runform analysed: how many people were tracked, how the runner was chosen and how sure
    that was, and how many strides each pass (whole body in view) gave. Videos only."""

    min_choice_confidence: float = MIN_CHOICE_CONFIDENCE

    def _evaluate(self, g: GateInput) -> list[Check]:
        persons = g.persons
        if persons is None:
            return []
        fix = "give the runner with --person x,y (a point on the runner) or --person left|right|largest"
        if persons.chosen_track_id is None:
            return [Check("person_choice", "warn", 0.0, f"choice confidence >= {self.min_choice_confidence:.0%}",
                          "the person detector found nobody; the pose model's own choice was analysed",
                          "film the whole runner in good light")]  # fmt: skip
        passes = self._passes_text(g)
        who = f"{persons.n_persons} {'person' if persons.n_persons == 1 else 'people'} tracked"
        if persons.method in ("auto", "only-person"):
            how = "the only person" if persons.method == "only-person" else "the one with a running gait"
            unsure = persons.method == "auto" and persons.confidence < self.min_choice_confidence
            message = f"{who}; the runner is {how} (choice confidence {persons.confidence:.0%}){passes}"
            if unsure:
                message += ": several people move alike, the analysed person may not be the intended runner"
            return [Check("person_choice", "warn" if unsure else "pass", round(persons.confidence, 3),
                          f"choice confidence >= {self.min_choice_confidence:.0%}", message, fix if unsure else "")]  # fmt: skip
        return [Check("person_choice", "pass", round(persons.confidence, 3), "--person given",
                      f"{who}; the runner was chosen by --person {persons.method}{passes}")]  # fmt: skip

    @staticmethod
    def _passes_text(g: GateInput) -> str:
        """"; 2 passes (whole body in view): 5, 4 strides" (empty for one pass covering the clip)."""
        persons, times = g.persons, g.raw.time_s
        if persons is None or not persons.passes:
            return "; the whole body was never in view for long" if persons is not None else ""
        starts = g.strides["start_time_s"].to_numpy() if len(g.strides) else np.zeros(0)
        counts = persons.strides_per_pass(times, starts)
        if len(persons.passes) == 1 and persons.passes[0] == (0, len(times) - 1):
            return ""
        label = "pass" if len(counts) == 1 else "passes"
        return f"; {len(counts)} {label} with the whole body in view: " + ", ".join(map(str, counts)) + " strides"
