"""The only orchestrator: ``run(source, config, out_dir) -> Analysis``. One block per stage.

Stages, in order: pose -> cleaning -> events -> calibration and metrics -> quality -> summary and
uncertainty, curves, coaching -> (with ``out_dir``) the whole output folder. Every other package
provides one stage; only this module knows their order.
"""

from __future__ import annotations

import inspect
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from runform.coaching import coach, leg_tracking, mark_unreliable_legs
from runform.coaching import compare as compare_module
from runform.config import Config, make_config
from runform.errors import OptionError, OutputError, QualityRefused
from runform.events import FootGroundEventDetection
from runform.io import (
    VIDEO_SUFFIXES,
    ReducedFrames,
    analysis_to_json,
    check_output_folder,
    load_analysis_json,
    output_folder,
    write_tables,
)
from runform.kinematics import at_real_fps, calibrate, clean_keypoints
from runform.metrics import (
    StrideMetrics,
    gait_cycle_curves,
    overall_cadence_steps_per_min,
    run_summary,
)
from runform.model import Analysis, Calibration, CleaningReport, Keypoints, PersonTracks, QualityReport
from runform.pose import ProgressCallback, backend_for
from runform.quality import GateInput, QualityGate, picture_rate_hz
from runform.report import (
    DIAGNOSTIC_FILE,
    MAX_LONG_SIDE_PX,
    KeyFrameGrabber,
    render_comparison,
    render_report,
    write_annotated_video,
    write_diagnostic,
)

logger = logging.getLogger(__name__)

__all__ = ["StageProgress", "analyze", "analyze_keypoints", "compare_sessions", "run", "write_outputs"]

#: ``progress(done, total, stage)``: ``stage`` "pose" (frames read, total an estimate), "report"
#: (0 of 1 when it starts, 1 of 1 when written) and "video" (annotated-video frames written). The
#: video is written in a thread beside the report, so its calls come from that thread. A
#: two-argument ``progress(done, total)`` (:data:`runform.pose.ProgressCallback`) still works and
#: hears about "pose" only.
StageProgress = Callable[[int, int, str], None]


def run(
    source: str | Path,
    config: Config | None = None,
    out_dir: str | Path | None = None,
    progress: StageProgress | ProgressCallback | None = None,
) -> Analysis[Config]:
    """Analyse one clip or keypoint file and, with ``out_dir``, write its whole output folder.

    ``progress`` hears about every stage (:data:`StageProgress`): pose, then report and video.
    With ``out_dir`` (report and video on) the pose pass also keeps the clip's frames reduced to
    the annotated video's size (:class:`~runform.io.ReducedFrames`, up to ``config.frame_memory_mib``:
    384 MiB by default, about 30 s of a 30 fps clip), so the video and the report's key frames need
    no second decode.

    Raises :class:`~runform.errors.QualityRefused` when the quality gate refuses the clip; with
    ``out_dir`` the folder then holds only ``diagnostic.html`` (marked REFUSED: quality table, key
    frames with every tracked person and the followed skeleton). :func:`analyze` returns the
    refused analysis instead. The output folder is built in a
    temporary folder and swapped in whole: no file of an earlier run survives beside the new ones.
    """
    config = config or Config()
    if out_dir is not None:
        check_output_folder(out_dir)  # a bad -o fails now, not after the analysis
    with_video = out_dir is not None and config.write_report and config.write_video
    analysis, frames = _analyze_staged(Path(source), config, progress, keep_frames=with_video)
    if analysis.refused:
        frames = None  # not needed for the diagnostic: free them now
        refusals = analysis.quality.refusals
        fix = "; ".join(c.fix for c in refusals if c.fix)
        if out_dir is not None:
            diagnostic = _write_refused_diagnostic(analysis, Path(source), out_dir)
            fix += f"; see {diagnostic} for whom runform followed" if diagnostic else ""
        raise QualityRefused(
            "The clip cannot be analysed reliably", found="; ".join(c.message for c in refusals), fix=fix
        )
    if out_dir is not None:
        write_outputs(analysis, out_dir, progress, frames)
    return analysis


def analyze(
    source: str | Path, config: Config | None = None, progress: StageProgress | ProgressCallback | None = None,
    **options: object,
) -> Analysis[Config]:
    """Analyse a side-view running video or keypoint file (no output files). Options as in :class:`Config`
    (either a ``config`` or options, not both); ``progress`` hears about the "pose" stage."""
    if config is not None and options:
        raise OptionError("Both a config and options were given", expected="a Config, or options (as in Config)",
                          found=f"a Config and {', '.join(sorted(options))}",
                          fix="put the options into the Config: make_config(**options), or config.model_copy(update=...)")  # fmt: skip
    return _analyze_staged(Path(source), config or make_config(**options), progress)[0]


def _analyze_staged(source: Path, config: Config, progress: StageProgress | ProgressCallback | None,
                    keep_frames: bool = False) -> tuple[Analysis[Config], ReducedFrames | None]:  # fmt: skip
    """:func:`analyze`, and (``keep_frames``) the video's frames kept at the annotated video's size
    by the pose pass (None when not kept: a keypoint file, a window, a clip over the memory budget)."""
    staged = _staged(progress)
    pose_progress = None if staged is None else (lambda done, total: staged(done, total, "pose"))
    return _analyze(source, config, pose_progress, keep_frames)


def write_outputs(analysis: Analysis[Config], out_dir: str | Path, progress: StageProgress | ProgressCallback | None = None,
                  frames: ReducedFrames | None = None) -> Path:
    """The output folder: analysis.json and the CSVs, then (per ``analysis.config``) report.html
    and annotated.mp4, all written to a temporary folder that replaces ``out_dir`` whole.

    The annotated video (decode, draw, encode: OpenCV and libx264 release the GIL) is written in a
    thread while the report's plots are rendered, so the two share the cores; the report's key
    frames and its persons panel's frame come from the video's pass over the frames
    (:class:`~runform.report.KeyFrameGrabber`: the report waits until that pass is past the last
    key moment and the panel's frame). ``frames``: the clip's frames kept reduced by the pose pass
    (:func:`run` asks for them); with them the clip is not decoded again at all, without them
    (:func:`analyze` keeps none) it is decoded once more, not twice or three times.
    ``progress`` hears about the "report" and "video" stages (:data:`StageProgress`).
    """
    staged = _staged(progress) or _no_progress
    payload = analysis_to_json(analysis)  # computed before any file is touched
    with output_folder(out_dir) as folder:
        source = Path(analysis.source)
        with_video = analysis.config.write_report and analysis.config.write_video and source.suffix.lower() in VIDEO_SUFFIXES
        stop_video = threading.Event()  # set on a failure or Ctrl-C here: the video thread stops at its next frame
        with ThreadPoolExecutor(1, thread_name_prefix="runform-video") as pool:
            grabber = KeyFrameGrabber(analysis) if with_video else None  # key frames from the video's pass
            video = pool.submit(write_annotated_video, analysis, source, folder / "annotated.mp4",
                                analysis.config.slow_motion_factor,
                                lambda done, total: staged(done, total, "video"), grabber, frames, stop_video) if with_video else None  # fmt: skip
            try:
                _write_report(analysis, folder, payload, source, with_video, grabber, staged)
                if video is not None:
                    video.result()  # re-raises a failure of the video thread
            except BaseException:
                stop_video.set()  # the pool's exit waits for the video thread: not for the whole clip
                raise
    return Path(out_dir)


def _write_report(analysis: Analysis[Config], folder: Path, payload: str, source: Path, with_video: bool,
                  grabber: KeyFrameGrabber | None, staged: StageProgress) -> None:  # fmt: skip
    """The tables, then report.html (per ``analysis.config``), while the video is written."""
    write_tables(analysis, folder, payload)
    if analysis.config.write_report:
        staged(0, 1, "report")
        html = render_report(analysis, source, has_video=with_video, grabber=grabber)
        (folder / "report.html").write_text(html, encoding="utf-8")
        staged(1, 1, "report")


def _no_progress(done: int, total: int, stage: str) -> None:
    """The progress callback when nobody listens."""


def _staged(progress: StageProgress | ProgressCallback | None) -> StageProgress | None:
    """``progress`` as a :data:`StageProgress`; a two-argument callback hears about "pose" only."""
    if progress is None:
        return None
    try:
        inspect.signature(progress).bind(0, 0, "pose")
    except TypeError:  # progress(done, total): the pose backends' callback
        return lambda done, total, stage: progress(done, total) if stage == "pose" else None  # type: ignore[call-arg]
    except ValueError:  # no signature (some builtins): assume the stage-aware form
        pass
    return progress  # type: ignore[return-value]


def _write_refused_diagnostic(analysis: Analysis[Config], source: Path, out_dir: str | Path) -> Path | None:
    """The refused clip's output folder: only ``diagnostic.html`` and its key frames (atomic, like
    any output folder). A failure to write it is logged and the refusal still raised (exit 6)."""
    try:
        with output_folder(out_dir) as folder:
            write_diagnostic(analysis, source, folder)
    except OutputError as exc:
        logger.warning("the refused-clip diagnostic was not written: %s", exc)
        return None
    return Path(out_dir) / DIAGNOSTIC_FILE


def compare_sessions(before: str | Path, after: str | Path, report: str | Path | None = None) -> dict[str, Any]:
    """Compare two ``analysis.json`` files or output folders (changes beyond MDC95); with ``report``,
    also write the before/after HTML report there."""
    before, after = Path(before), Path(after)
    first, second = load_analysis_json(before), load_analysis_json(after)
    result = compare_module.compare(first, second)
    if report is not None:
        html = render_comparison(first, second, result, result["before_label"], result["after_label"])
        try:
            Path(report).write_text(html, encoding="utf-8")
        except OSError as exc:
            raise OutputError(f"Cannot write {report}", expected="a writable .html path in an existing folder",
                              found=exc.strerror or str(exc), fix="choose another path for --report") from None
    return result


class _Clock:
    """Stage timings in seconds, in the order the stages ran."""

    def __init__(self) -> None:
        self.timings_s: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings_s[stage] = round(now - self._last, 4)
        self._last = now


def _without_video_options(config: Config, path: Path) -> Config:
    """``config`` for a keypoint or motion-capture file (:meth:`Config.without_video_options`), with a
    warning naming the video-only options that were given."""
    if path.suffix.lower() in VIDEO_SUFFIXES:
        return config
    config, flags = config.without_video_options()
    if flags:
        logger.warning("%s: for videos only, ignored for the keypoint file %s", ", ".join(flags), path.name)
    return config


def _analyze(path: Path, config: Config, progress: ProgressCallback | None,
             keep_frames: bool = False) -> tuple[Analysis[Config], ReducedFrames | None]:  # fmt: skip
    clock = _Clock()
    config = _without_video_options(config, path)
    # 1. pose: video -> BlazePose (keeping the frames reduced for the annotated video), keypoint files -> their loader
    keep: dict[str, int] = {}
    if keep_frames and config.frame_memory_mib > 0 and path.suffix.lower() in VIDEO_SUFFIXES:
        keep = {"keep_frames_max_side_px": MAX_LONG_SIDE_PX, "keep_frames_budget_bytes": int(config.frame_memory_mib * 2**20)}
    backend = backend_for(path, config.model_complexity, person=config.person, start_s=config.start_s, end_s=config.end_s,
                          workers=config.pose_workers, **keep)  # fmt: skip
    raw = backend.estimate(path, progress)
    raw = at_real_fps(raw, config.real_fps)
    clock.lap("pose")
    analysis = analyze_keypoints(raw, config, str(path), backend.video_record(), backend.samples_, clock, backend.persons_,
                                 backend.first_frame_)  # fmt: skip
    return analysis, backend.frames_


def analyze_keypoints(
    raw: Keypoints,
    config: Config,
    source: str,
    video: dict[str, Any] | None = None,
    samples: list[Any] | None = None,
    clock: _Clock | None = None,
    persons: PersonTracks | None = None,
    first_frame: int = 0,
) -> Analysis[Config]:
    """Everything after pose estimation, on keypoints from any source (video, CSV, projected mocap).

    ``persons``: everyone tracked in the video and the runner choice (quality gate, report);
    ``first_frame``: decoded-frame index of keypoint frame 0 (``--start``), so event frames count
    from the clip's start like their ``time_s``."""
    clock = clock or _Clock()
    # 2. cleaning: gaps, glitches, leg swaps, sides, direction, filter
    kp, cleaning = _clean(raw, config)
    clock.lap("cleaning")
    # 3. events
    detector = FootGroundEventDetection().detect(
        kp, direction=cleaning.direction, stride_frequency_hz=cleaning.stride_frequency_hz, frame_times_s=raw.time_s
    )
    events = detector.events_
    if first_frame:
        events = events.assign(frame=events["frame"] + first_frame)
    clock.lap("events")
    # 4. calibration and metrics
    calibration = calibrate(kp, events, cleaning.direction, config)
    stride_metrics = StrideMetrics().calculate(kp, events, cleaning.direction, calibration)
    strides = stride_metrics.per_stride_
    clock.lap("metrics")
    # 5. quality gate
    timed_from_foot = detector.n_from_foot_ / max(len(events), 1)
    if persons is not None:  # one box row per decoded frame, as the keypoints (timed() refuses a mismatch)
        persons = persons.timed(raw.time_s)  # the run's clock (--real-fps), not the cleaned (resampled) axis
    gate_input = GateInput(raw, kp, cleaning, strides, calibration, config.surface, samples, timed_from_foot, persons, video)
    quality = QualityGate().check(gate_input).report_
    clock.lap("quality")
    # 6. summary with uncertainty, gait-cycle curves, coaching (none for a refused clip)
    cadence = overall_cadence_steps_per_min(events, stride_metrics.missing_spans_s_)  # not across the runner's absences
    far_side = "right" if cleaning.direction < 0 else "left"  # the camera sees the runner's other side
    legs = leg_tracking(kp, far_side)
    picture_fps = picture_rate_hz(raw, kp)  # the error model's rate: that of the pictures (repeats left out)
    if video is not None:
        video = {**video, "picture_fps": round(float(picture_fps), 3)}
    summary = _summary(raw, strides, cadence, quality, calibration, legs, picture_fps)
    curves = gait_cycle_curves(kp, strides, cleaning.direction)
    coaching = None
    if quality.verdict != "refuse":
        coaching = coach(summary, strides, config.event, config.programme_weeks, far_side, calibration, legs)
    return Analysis(
        source=source, config=config, keypoints=kp, events=events, strides=strides, calibration=calibration,
        cleaning=cleaning, quality=quality, summary=summary, overall_cadence_steps_per_min=cadence, curves=curves,
        coaching=coaching, video=video, source_kind=raw.kind, timings_s=clock.timings_s, persons=persons,
    )  # fmt: skip


def _clean(raw: Keypoints, config: Config) -> tuple[Keypoints, CleaningReport]:
    """Stage 2: the cleaned, filtered keypoints and what the cleaning found."""
    kp, cleaning = clean_keypoints(
        raw, min_confidence=config.min_confidence, max_gap_s=config.max_gap_s, cutoff_hz=config.filter_cutoff_hz
    )
    if config.filter_cutoff_hz is None and not np.isfinite(cleaning.stride_frequency_hz):
        logger.warning(
            "no stride frequency could be measured (no clear stride rhythm in the legs): low-pass cut-off "
            "set to %.1f Hz instead of the cadence rule",
            cleaning.cutoff_hz,
        )
    return kp, cleaning


def _summary(raw: Keypoints, strides: pd.DataFrame, cadence: float | None, quality: QualityReport,
             calibration: Calibration, legs: dict[str, dict], picture_fps: float) -> dict[str, Any]:  # fmt: skip
    """Stage 6's run summary with uncertainty; a leg the camera tracked poorly is marked so."""
    confidence = quality.get("keypoint_confidence")
    summary = run_summary(
        strides,
        overall_cadence=cadence,
        timing_reliable=quality.timing_reliable,
        sampling_rate_hz=picture_fps,
        source_kind=raw.kind,
        mean_confidence=float((confidence.value if confidence else 1.0) or 0.0),
        calibration_method=calibration.method,
        reliable_sides=tuple(side for side in ("left", "right") if legs[side]["reliable"]) or ("left", "right"),
        leg_length_m=float(calibration.length(calibration.leg_length_px)) if calibration.is_metric else None,
    )
    return mark_unreliable_legs(summary, legs)


