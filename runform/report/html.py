"""Self-contained HTML report (Jinja2; everything inline: no CDN, no network)."""

from __future__ import annotations

from pathlib import Path

import jinja2
import numpy as np

from runform.coaching.compare import finding_list, metric_name, readable_finding
from runform.coaching.knee_lift import BAND_POSITIONS, band_position, speed_clause
from runform.io import VIDEO_SUFFIXES, analysis_to_dict
from runform.model import Analysis
from runform.report import plots
from runform.report.keyframes import KeyFrameGrabber, key_frames, key_moments, representative_stride
from runform.report.palette import SIDE_HEX
from runform.report.persons import persons_panel

STRIDE_COLUMNS = [
    ("side", "side", 0), ("contact_frame", "contact frame", 0), ("cadence_steps_per_min", "cadence", 1),
    ("contact_time_s", "contact s", 3), ("flight_time_s", "flight s", 3), ("max_thigh_angle_deg", "knee lift °", 1),
    ("hip_extension_at_toe_off_deg", "hip ext TO °", 1), ("peak_swing_knee_flexion_deg", "heel recovery °", 1),
    ("knee_flexion_at_contact_deg", "knee at IC °", 1), ("shank_angle_at_contact_deg", "shank at IC °", 1),
    ("foot_ahead_of_hip_pct_leg", "foot ahead % leg", 1), ("stride_length_m", "stride m", 2),
    ("step_length_m", "step m", 2), ("vertical_oscillation_cm", "VO cm", 1), ("trunk_lean_deg", "trunk °", 1),
    ("foot_strike", "strike", 0),
]  # fmt: skip
DEFINITIONS = [
    ("Knee lift", "maximum thigh angle from vertical during swing (toe-off to next contact)."),
    ("Hip extension at toe-off", "minus the thigh angle at toe-off (thigh behind vertical), relative to vertical."),
    ("Heel recovery", "peak knee flexion during swing."),
    ("Knee flexion / shank angle at contact", "at initial contact; a forward-reaching shank (+) signals overstriding."),
    ("Foot ahead of hip", "ankle ahead of the pelvis centre at contact, in cm and % of leg length."),
    ("Cadence", "steps per minute; contact, flight and stride times from sub-frame contact and toe-off events."),
    ("Step / stride length", "running speed (the pelvis's mean speed over the stride against the planted foot, or the belt speed) x step time (the other foot's contact to this foot's, a step named after the foot that lands) or stride time (two steps); metres only, with a scale."),
    ("Vertical oscillation / ratio", "pelvis height range over one step (the other foot's contact to this foot's); divided by the step length, as running watches do."),
    ("L − R", "left minus right on per-side medians, in the metric's unit (analysis.json also holds the symmetry index, 100 x (L - R) / mean(|L|, |R|))."),
]
SUMMARY_ROWS = ["cadence_steps_per_min", "contact_time_s", "flight_time_s", "duty_factor", "stride_length_m", "step_length_m",
                "max_thigh_angle_deg", "hip_extension_at_toe_off_deg", "peak_swing_knee_flexion_deg", "knee_flexion_at_contact_deg",
                "shank_angle_at_contact_deg", "foot_ahead_of_hip_pct_leg", "vertical_oscillation_cm", "vertical_ratio_pct",
                "trunk_lean_deg"]  # fmt: skip


def _fmt(value: object, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "–"
    return f"{value:.{digits}f}" if isinstance(value, (int, float)) else str(value)


def _band_words(value: float | None, low: float | None, high: float | None, event: str,
                uncertainty: float | None = None) -> tuple[str, str]:  # fmt: skip
    """("below the 10k band (35-50°)", "bad") for the headline, in plain words with a colour class;
    within its uncertainty of an edge: "at the low edge of ..." (warn)."""
    if value is None or low is None or high is None:
        return "", ""
    words, tone = BAND_POSITIONS[band_position(value, uncertainty, low, high)]
    return f"{words} the {event} band ({low}–{high}°)", tone


def _side_text(summary: dict, metric: str, digits: int, unit: str) -> str:
    entry = summary.get(metric) or {}
    parts = []
    for side, css in (("left", "L"), ("right", "R")):
        part = entry.get(side) or {}
        text = f"{side[0].upper()} {_fmt(part.get('median'), digits)}{unit}"
        if part.get("reliable") is False:
            text += " (far leg, poorly tracked)"
        parts.append(f"<span class='{css}'>{text}</span>")
    if entry.get("headline_side"):
        parts.append(f"value from the {entry['headline_side']} leg")
    return " · ".join(parts)


def _cards(summary: dict, coaching: dict | None) -> list[dict]:
    """Headline cards in plain words; lengths only when measured in metres (else: which scale to give)."""
    def get(metric: str, key: str = "value"):  # noqa: ANN202
        entry = summary.get(metric) or {}
        return entry.get(key) if key in ("value", "uncertainty") else (entry.get(key) or {}).get("median")

    coaching = coaching or {}
    band = coaching.get("knee_lift", {}).get("reference_deg", {})
    knee = get("max_thigh_angle_deg")
    words, tone = _band_words(knee, band.get("low"), band.get("high"), coaching.get("event", "event"), get("max_thigh_angle_deg", "uncertainty"))
    clause = speed_clause(coaching.get("knee_lift", {}))
    if clause:  # below the band: how it compares with runners at the speed filmed
        words, tone = words + clause[0], clause[1]
    fired = {f["id"] for f in coaching.get("findings", [])}
    overstride = any(i.startswith("overstride") for i in fired)
    cards = [
        {"label": "Knee lift (max thigh angle)", "value": f"{_fmt(knee, 0)}°", "tone": tone,
         "headline": f"Knee lift {_fmt(knee, 0)}°" + (f": {words}" if words else ""),
         "sub": _side_text(summary, "max_thigh_angle_deg", 0, "°") + f" · ±{_fmt(get('max_thigh_angle_deg', 'uncertainty'), 1)}°"},
        {"label": "Cadence", "value": _fmt(get("cadence_steps_per_min"), 0), "tone": "",
         "sub": f"steps per minute · ±{_fmt(get('cadence_steps_per_min', 'uncertainty'), 1)}"},
        {"label": "Contact time", "value": f"{_fmt(get('contact_time_s'), 3)} s", "tone": "",
         "sub": (f"±{_fmt(get('contact_time_s', 'uncertainty'), 3)} s" if (summary.get("contact_time_s") or {}).get("reliable", True)
                 else "unreliable at this frame rate")},
    ]
    if "step_length_m" in summary:
        step = coaching.get("step_length") or {}
        sub = (f"{_fmt(step.get('pct_of_expected'), 0)} % of the step expected at your speed ({_fmt(step.get('speed_mps'), 2)} m/s) "
               "and leg length" if step.get("measured") else "scale: " + str((summary.get("step_length_m") or {}).get("calibration", "given")))
        cards.append({"label": "Step length", "value": f"{_fmt(get('step_length_m'), 2)} m", "tone": "",
                      "sub": f"±{_fmt(get('step_length_m', 'uncertainty'), 2)} m · {sub}"})
    else:
        cards.append({"label": "Step length", "value": "not measured", "tone": "",
                      "sub": "no scale: give --treadmill-speed (best), --known-distance or --height for lengths in metres"})
    cards += [
        {"label": "Overstride" if overstride else "Foot ahead of hip at contact", "tone": "bad" if overstride else "",
         "value": f"{_fmt(get('foot_ahead_of_hip_pct_leg'), 0)} % leg",
         "sub": f"±{_fmt(get('foot_ahead_of_hip_pct_leg', 'uncertainty'), 0)} % · ankle ahead of the hip at landing · "
                f"shank {_fmt(get('shank_angle_at_contact_deg'), 0)}° from vertical"},
        {"label": "Hip extension at toe-off", "value": f"{_fmt(get('hip_extension_at_toe_off_deg'), 0)}°", "tone": "",
         "sub": f"thigh behind vertical · ±{_fmt(get('hip_extension_at_toe_off_deg', 'uncertainty'), 0)}°"},
    ]  # fmt: skip
    return cards


def _side_cell(side: dict) -> str:
    """A leg's median ± its own 95 % uncertainty (that leg's strides), marked when tracked poorly."""
    value = _fmt(side.get("median"), 3)
    if side.get("median") is not None and side.get("uncertainty") is not None:
        value += " ± " + _fmt(side["uncertainty"], 3)
    return value + (" (unreliable)" if side.get("reliable") is False else "")


def _finding_groups(coaching: dict | None) -> list[dict]:
    if not coaching:
        return []
    findings = [readable_finding(f) for f in coaching["findings"]]
    groups = [{"title": "Both coaches agree", "statement": "", "findings": [f for f in findings if f["position"] == "consensus"]}]
    for key, pos in coaching["positions"].items():
        groups.append({"title": pos["name"], "statement": pos["statement"] + " " + pos.get("choose", ""),
                       "source": pos.get("source") or [], "findings": [f for f in findings if f["position"] == key]})  # fmt: skip
    return groups


#: Each key moment's angle drawn, and the stride metric its caption gives (as the stride table has it).
STICK_METRICS = {"contact": ("shank", "shank_angle_at_contact_deg", "shank"),
                 "toe-off": ("thigh", "hip_extension_at_toe_off_deg", "hip extension"),
                 "max knee lift": ("thigh", "max_thigh_angle_deg", "thigh")}  # fmt: skip


def _sticks(analysis) -> list[str]:  # noqa: ANN001
    stride, near = representative_stride(analysis)
    out = []
    for title, t in key_moments(analysis):
        angle, metric, words = STICK_METRICS[title]
        value = stride.get(metric) if stride is not None else None
        text = f"{words} {value:.1f}°" if value is not None and np.isfinite(value) else None
        out.append(plots.stick_figure(analysis.keypoints, t, near, analysis.cleaning.direction, title, angle, text))
    return out


def _picture_note(analysis: Analysis) -> str:
    """Said beside the frame rate when fewer frames than the file's were analysed (repeated pictures
    left out, ``--fast``'s skipped frames), else empty."""
    video, fps = analysis.video or {}, analysis.keypoints.sampling_rate_hz
    picture_fps = video.get("picture_fps")
    if not picture_fps or not picture_fps < 0.9 * fps:
        return ""
    left_out = " and ".join(words for words, why in (("frames repeating a picture", video.get("repeated_frames")),
                                                     ("the frames --fast skips", (video.get("pose_frame_step") or 1) > 1)) if why)  # fmt: skip
    return f"analysed at {picture_fps:.1f} fps: {left_out} left out"


def render_report(analysis: Analysis, source: Path | None = None, has_video: bool = False, compare_curves: dict | None = None,
                  grabber: KeyFrameGrabber | None = None) -> str:  # fmt: skip
    """The report's HTML. ``grabber``: the key frames and the persons panel's frame from a pass over
    the video made elsewhere (the annotated video's); without one they are decoded from ``source``."""
    data = analysis_to_dict(analysis)
    summary, coaching = data["summary"], data["coaching"]
    band = (coaching or {}).get("knee_lift", {}).get("reference_deg")
    strides = analysis.strides
    columns = [(k, label, d) for k, label, d in STRIDE_COLUMNS if k in strides.columns]
    rows = [[_fmt(r[k], d) if d or not isinstance(r[k], str) else r[k] for k, _, d in columns] for _, r in strides.iterrows()]
    drills = {d["id"]: d for weeks in ((coaching or {}).get("programme", {}).get("variants", {}) or {}).values()
              for w in weeks for d in w["drills"]}  # fmt: skip
    accuracy_rows = [{"name": metric_name(m), "key": m, "value": _fmt(summary[m]["value"], 3), "unc": _fmt(summary[m].get("uncertainty"), 3),
                      "mdc": _fmt(summary[m].get("mdc95"), 3), "left": _side_cell(summary[m]["left"]),
                      "right": _side_cell(summary[m]["right"]), "lmr": _fmt(summary[m].get("left_minus_right"), 3) if summary[m].get("symmetry_reliable", True) else "–",
                      "n": summary[m]["n"], "validated": "yes" if summary[m].get("validated") else "no"}
                     for m in SUMMARY_ROWS if m in summary]  # fmt: skip
    env = jinja2.Environment(loader=jinja2.PackageLoader("runform.report", "templates"), autoescape=jinja2.select_autoescape(["html", "j2"]))
    curves = data["curves"]
    return env.get_template("report.html.j2").render(
        title=analysis.clip_name, runner=analysis.config.runner_name, source_name=analysis.clip_name,
        created=analysis.created, event=analysis.config.event, coaching=coaching, quality=data["quality"],
        fps=analysis.keypoints.sampling_rate_hz, picture_note=_picture_note(analysis), calibration=data["calibration"], cards=_cards(summary, coaching),
        thigh_plot=plots.cycle_plot(curves, "thigh_angle_deg", "thigh angle (deg)",
                                    (band["low"], band["high"]) if band else None, compare_curves, "knee-lift band"),
        knee_plot=plots.cycle_plot(curves, "knee_flexion_deg", "knee flexion (deg)", None, compare_curves),
        lift_plot=plots.per_stride_plot(strides, "max_thigh_angle_deg", "knee lift (deg)", (band["low"], band["high"]) if band else None)
        if len(strides) else "",
        sticks=_sticks(analysis), frames=_frames(analysis, source, grabber), has_video=has_video,
        finding_groups=_finding_groups(coaching), drills=list(drills.values()), stride_columns=[c[1] for c in columns],
        stride_rows=rows, accuracy_rows=accuracy_rows, definitions=DEFINITIONS, version=data["runform_version"],
        processing=[p.split("(")[0] for p in data["keypoints"]["processing"]],
        persons=persons_panel(analysis.persons, source, grabber), side_hex=SIDE_HEX,
        unreliable_sides=[side for side, leg in ((coaching or {}).get("legs") or {}).items() if not leg.get("reliable", True)],
    )  # fmt: skip


def _frames(analysis: Analysis, source: Path | None, grabber: KeyFrameGrabber | None) -> list[tuple[str, str]]:
    if grabber is not None:
        return grabber.images()
    return key_frames(analysis, source) if source else []


def write_report(analysis: Analysis, out_dir: Path, with_video: bool = True) -> None:
    """report.html (+ annotated.mp4 for video sources) into ``out_dir``."""
    from runform.report.video import write_annotated_video

    source = Path(analysis.source)
    is_video = source.suffix.lower() in VIDEO_SUFFIXES
    grabber = KeyFrameGrabber(analysis) if with_video and is_video else None
    if grabber is not None:
        write_annotated_video(analysis, source, out_dir / "annotated.mp4", analysis.config.slow_motion_factor, key_frames=grabber)
    html = render_report(analysis, source, has_video=grabber is not None, grabber=grabber)
    (out_dir / "report.html").write_text(html, encoding="utf-8")


def render_comparison(before: dict, after: dict, result: dict, before_name: str, after_name: str) -> str:
    """Before/after report: overlaid angle curves and the MDC-filtered change table."""
    env = jinja2.Environment(loader=jinja2.PackageLoader("runform.report", "templates"), autoescape=True)
    curves_b, curves_a = before.get("curves") or {}, after.get("curves") or {}
    return env.get_template("compare.html.j2").render(
        before_name=before_name, after_name=after_name, result=result,
        findings=lambda ids: finding_list(ids, result.get("finding_titles", {})),
        thigh_plot=plots.cycle_plot(curves_a, "thigh_angle_deg", "thigh angle (deg)", compare=curves_b),
        knee_plot=plots.cycle_plot(curves_a, "knee_flexion_deg", "knee flexion (deg)", compare=curves_b),
    )  # fmt: skip
