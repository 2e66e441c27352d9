"""Several people in view (issue 16): the runner is chosen, tracked and analysed; --person; --start/--end.

Clips are built from the shared treadmill clip (``tests/fixtures/person_clips.py``): the runner beside a larger
copy of the scene that stands still or moves at a walking rhythm, on either side, a larger person
walking across the frame, and beside a second (time-shifted) runner for the overrides. Contacts and toe-offs are checked against labels v2 (and
for extra events) and cadence against the upstream 168.9 steps/min. Overground: the runner's crop crossing a wide frame twice
(``make_overground_clip``), checked against the labels v2 mapped to each pass.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import av
import numpy as np
import pandas as pd
import pytest
from conftest import CLIP_FPS, WALKING, match_events, need, spurious_events
from fixtures.person_clips import make_crossing_clip, make_overground_clip, make_pair_clip
from typer.testing import CliRunner

from runform.cli import app
from runform.config import make_config, parse_person
from runform.errors import OptionError
from runform.pipeline import analyze_keypoints, run
from runform.pose.mediapipe_backend import MediaPipePose
from runform.pose.selection import choose_runner
from runform.report import render_report

UPSTREAM_CADENCE = 168.9
#: Runner beside: a larger person walking on the spot on the left, a larger person standing on the
#: right, a larger person walking across the left of the frame and leaving it (5 s clip).
LAYOUTS = {
    "walker-left": lambda clip, path: make_pair_clip(clip, path, runner_side="right", other="slow"),
    "standing-right": lambda clip, path: make_pair_clip(clip, path, runner_side="left", other="frozen"),
    "walker-crossing": lambda clip, path: make_crossing_clip(clip, path),
}


@pytest.fixture(scope="session", params=sorted(LAYOUTS))
def pair_run(request, tmp_path_factory, clip):
    """(layout, runner x range, backend after estimate, analysis) for one multi-person clip."""
    path = tmp_path_factory.mktemp("persons") / f"{request.param}.mp4"
    x_range = LAYOUTS[request.param](clip, path)
    backend = MediaPipePose()
    kp = backend.estimate(path)
    analysis = analyze_keypoints(kp, make_config(), str(path), persons=backend.persons_)
    return request.param, x_range, backend, analysis


def test_auto_choice_is_the_runner(pair_run):
    _, (x0, x1), backend, _ = pair_run
    persons = backend.persons_
    assert len(persons.track_ids) >= 2
    assert persons.method == "auto"
    assert persons.confidence >= 0.3
    assert analysis_check(pair_run).verdict == "pass"
    centre_x = np.nanmedian((persons.chosen_boxes()[:, 0] + persons.chosen_boxes()[:, 2]) / 2)
    assert x0 <= centre_x <= x1


def _panel_rects(html: str) -> list[tuple[str, float, float]]:
    """(class, x centre, svg width) of each person box in the report's persons panel."""
    panel = re.search(r'<svg class="persons-panel" viewBox="0 0 (\d+) (\d+)".*?</svg>', html, re.S)
    assert panel, "the report has a persons panel"
    rects = re.findall(r'<rect class="person (\w+)" x="([\d.-]+)" y="[\d.-]+" width="([\d.]+)"', panel.group(0))
    return [(kind, float(x) + float(w) / 2, float(panel.group(1))) for kind, x, w in rects]


def test_report_draws_every_person_and_marks_the_runner(pair_run):
    _, (x0, x1), backend, analysis = pair_run
    html = render_report(analysis, Path(analysis.source))
    rects = _panel_rects(html)
    kinds = [k for k, _, _ in rects]
    assert kinds.count("chosen") == 1 and kinds.count("other") >= 1
    _, centre, width = next(r for r in rects if r[0] == "chosen")
    scale = width / backend.info_.width_px
    assert x0 * scale <= centre <= x1 * scale, "the clear box is on the runner"
    assert f"choice confidence {analysis.persons.confidence:.0%}" in html


def analysis_check(pair_run):
    return pair_run[3].quality.get("person_choice")


def test_runner_contacts_match_labels(pair_run, labels):
    _, _, _, analysis = pair_run
    contacts = match_events(analysis.events, labels[labels["event"] == "contact"])
    assert (contacts["error_frames"].abs() <= 1.0).mean() >= 0.9, contacts
    extra = spurious_events(analysis.events, labels[labels["event"] == "contact"])
    assert extra.empty, extra  # none of the other person's steps


def test_runner_cadence(pair_run):
    _, _, _, analysis = pair_run
    assert abs(analysis.overall_cadence_steps_per_min - UPSTREAM_CADENCE) <= 0.5


def test_runner_toe_offs_match_labels(pair_run, labels):
    """Labels v2 toe-offs (sub-frame). The single-person clip's target is >= 90 % within 1.25 frames
    (test_events_on_labels.py); beside a standing person 2 of the 12 are 1.7 frames off (toe-offs 25
    and 35), so here >= 80 % (10 of 12), none past 2 frames and no bias beyond half a frame."""
    _, _, _, analysis = pair_run
    toe_offs = labels[labels["event"] == "toe_off"]
    matched = match_events(analysis.events, toe_offs)
    errors = matched["error_frames"]
    assert (errors.abs() <= 1.25).mean() >= 0.8, matched
    assert errors.abs().max() <= 2 and abs(errors.mean()) <= 0.5, matched
    extra = spurious_events(analysis.events, toe_offs)
    assert extra.empty, extra


@pytest.fixture(scope="session")
def two_runners(tmp_path_factory, clip):
    """5 s: the runner (left, larger) beside a smaller second runner 7 frames ahead (right)."""
    path = tmp_path_factory.mktemp("persons") / "two_runners.mp4"
    x_range = make_pair_clip(clip, path, runner_side="left", other="shifted", runner_scale=0.7, other_scale=0.55,
                             max_frames=150)  # fmt: skip
    return path, x_range


@pytest.fixture(scope="session")
def right_runner_run(two_runners):
    path, _ = two_runners
    backend = MediaPipePose(person="right")
    return backend, backend.estimate(path)


def test_person_right_analyses_the_right_runner(right_runner_run, two_runners):
    _, (x0, x1) = two_runners
    backend, kp = right_runner_run
    hips_x = np.nanmedian(kp.xy_px[:, [23, 24], 0])
    assert hips_x > x1, "landmarks should be on the right-hand runner"
    assert backend.persons_.method == "right"


@pytest.mark.parametrize("person, expected", [("left", "left"), ("right", "right"), ("largest", "left"),
                                              ("point-left", "left"), ("point-right", "right")])  # fmt: skip
def test_person_overrides_pick_the_intended_track(right_runner_run, two_runners, person, expected):
    _, (x0, x1) = two_runners
    backend, _ = right_runner_run
    survey = backend.persons_
    if person.startswith("point"):
        height = backend.info_.height_px
        person = f"{(x0 + x1) / 2:.0f},{height - 200}" if person == "point-left" else f"{x1 + 150:.0f},{height - 200}"
    energy = {t: backend.survey_.motion.series(t, survey.boxes_px.shape[1]) for t in survey.track_ids}
    choice = choose_runner(survey.track_ids, survey.boxes_px, energy, CLIP_FPS, person=person)
    k = survey.track_ids.index(choice.track_id)
    centre_x = np.nanmedian((survey.boxes_px[k, :, 0] + survey.boxes_px[k, :, 2]) / 2)
    assert (centre_x < x1) if expected == "left" else (centre_x > x1)


def test_cli_person_point_analyses_the_person_there(two_runners, tmp_path):
    """``runform analyze --person x,y`` end to end: a point on the right-hand runner picks them."""
    path, (_, x1) = two_runners
    with av.open(str(path)) as container:
        height_px = container.streams.video[0].codec_context.height
    out = tmp_path / "point"
    args = ["analyze", str(path), "--person", f"{x1 + 150:.0f},{height_px - 200}", "--no-report", "-o", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "the runner was chosen by --person point" in (out / "analysis.json").read_text(encoding="utf-8")
    keypoints = pd.read_csv(out / "keypoints.csv")
    assert keypoints[["left_hip_x", "right_hip_x"]].median().min() > x1, "landmarks on the right-hand runner"


def test_two_runners_make_an_unsure_auto_choice(right_runner_run):
    backend, _ = right_runner_run
    survey = backend.persons_
    energy = {t: backend.survey_.motion.series(t, survey.boxes_px.shape[1]) for t in survey.track_ids}
    choice = choose_runner(survey.track_ids, survey.boxes_px, energy, CLIP_FPS)
    assert choice.confidence < 0.5


def test_start_end_window(clip):
    import runform

    analysis = runform.analyze(clip, start_s=1.0, end_s=4.5, write_video=False, write_report=False)
    times = analysis.keypoints.time_s
    assert times[0] == pytest.approx(1.0, abs=1 / CLIP_FPS) and times[-1] == pytest.approx(4.5, abs=1 / CLIP_FPS)
    assert len(analysis.events) >= 8
    assert analysis.events["time_s"].between(1.0, 4.5).all()
    # frame is the clip's decoded-frame index, like time_s is clip time
    assert (analysis.events["frame"] - analysis.events["time_s"] * CLIP_FPS).abs().max() <= 1.0
    check = analysis.quality.get("person_choice")
    assert check is not None and check.verdict == "pass" and "1 person tracked" in check.message


@pytest.mark.video
@pytest.mark.slow
def test_walking_demo_refusal_writes_a_diagnostic(tmp_path):
    """Exit 6, and the output folder holds only the REFUSED diagnostic with key frames."""
    out = tmp_path / "walk"
    result = CliRunner().invoke(app, ["analyze", str(need(WALKING)), "--no-video", "-o", str(out)])
    assert result.exit_code == 6, result.output
    page = (out / "diagnostic.html").read_text(encoding="utf-8")
    assert "REFUSED" in page and "not running (walking)" in page and "person_choice" in page
    assert sorted(p.name for p in out.iterdir()) == ["diagnostic.html"] + [f"keyframe-{k}.png" for k in range(1, 5)]
    assert "keyframe-1.png" in page and not (out / "analysis.json").exists()


@pytest.mark.parametrize("options, match", [
    ({"start_s": 3.0, "end_s": 2.0}, "not after start"),
    ({"start_s": -1.0}, "--start must be at least 0"),
    ({"person": "bob"}, "unknown person"),
], ids=["end-before-start", "negative-start", "bad-person"])  # fmt: skip
def test_bad_window_and_person_options(options, match):
    with pytest.raises(OptionError, match=match):
        make_config(**options)


@pytest.mark.parametrize("text, expected", [(None, None), ("auto", None), ("LEFT", "left"), ("largest", "largest"),
                                            ("420,610", (420.0, 610.0)), (" 1.5 , 2 ", (1.5, 2.0))])  # fmt: skip
def test_parse_person(text, expected):
    assert parse_person(text) == expected


@pytest.mark.parametrize("text", ["somebody", "nan,1", "inf,2", "1e3,5", "-1,2", "1,2,3"])
def test_parse_person_refuses_garbage_as_config_does(text):
    """One check: what the pose stage refuses, Config refuses too (``nan,1`` used to pass the pose's parser)."""
    with pytest.raises(OptionError, match="person"):
        parse_person(text)
    with pytest.raises(OptionError, match="unknown person"):
        make_config(person=text)


# --- overground passes -----------------------------------------------------------------------
#: Labels this far inside a pass's ends are checked: an event needs part of the stance around it in view.
PASS_EDGE_FRAMES = 6


@pytest.fixture(scope="session")
def overground_run(tmp_path_factory, clip):
    """(source frame per composite frame, analysis, output folder) of the runner crossing the frame twice."""
    folder = tmp_path_factory.mktemp("overground")
    path = folder / "overground.mp4"
    shown = make_overground_clip(clip, path)
    analysis = run(path, make_config(write_video=False), out_dir=folder / "out")
    return shown, analysis, folder / "out"


def _labels_in_passes(labels, shown, passes, edge=PASS_EDGE_FRAMES):
    """Labels v2 moved to the composite's frames and times, for each pass, away from its ends."""
    out = []
    for a, b in passes:
        offsets = {int(c - shown[c]) for c in range(a, b + 1) if shown[c] >= 0}
        assert len(offsets) == 1, "a pass shows one stretch of the clip"
        offset = offsets.pop()
        lab = labels.assign(frame=labels["frame"] + offset, time_s=labels["time_s"] + offset / CLIP_FPS)
        out.append(lab[lab["frame"].between(a + edge, b - edge)])
    return out


def test_overground_two_passes_one_runner(overground_run):
    shown, analysis, _ = overground_run
    persons = analysis.persons
    assert persons.n_persons == 1, "the two passes' tracks are one runner"
    assert len(persons.passes) == 2
    gap = np.flatnonzero(shown < 0)
    (a1, b1), (a2, b2) = persons.passes
    assert b1 < gap[0] and a2 > gap[-1]
    assert min(b1 - a1, b2 - a2) + 1 >= 1.5 * CLIP_FPS


def test_overground_events_only_with_the_whole_body_in_view(overground_run):
    _, analysis, _ = overground_run
    frames = analysis.events["frame"].to_numpy()
    inside = np.zeros(len(frames), dtype=bool)
    for a, b in analysis.persons.passes:
        inside |= (frames >= a) & (frames <= b)
    assert len(frames) >= 16 and inside.all(), analysis.events


@pytest.mark.parametrize(("kind", "tolerance_frames"), [("contact", 1.0), ("toe_off", 1.25)])
def test_overground_events_match_labels_in_each_pass(overground_run, labels, kind, tolerance_frames):
    shown, analysis, _ = overground_run
    for lab in _labels_in_passes(labels, shown, analysis.persons.passes):
        matched = match_events(analysis.events, lab[lab["event"] == kind])
        assert len(matched) >= 3
        assert (matched["error_frames"].abs() <= tolerance_frames).mean() >= 0.9, matched
        extra = spurious_events(analysis.events, lab[lab["event"] == kind])
        assert extra.empty, extra


def test_overground_no_stride_spans_the_gap(overground_run):
    _, analysis, _ = overground_run
    strides = analysis.strides
    passes = analysis.persons.passes
    which = [next(k for k, (a, b) in enumerate(passes) if a <= s["contact_frame"] <= b) for _, s in strides.iterrows()]
    ends = [next(k for k, (a, b) in enumerate(passes) if a <= s["next_contact_frame"] <= b) for _, s in strides.iterrows()]
    assert which == ends
    assert sorted(set(which)) == [0, 1], "both passes give strides"
    assert strides["cadence_steps_per_min"].median() == pytest.approx(UPSTREAM_CADENCE, rel=0.02)


def test_overground_gate_and_report_give_strides_per_pass(overground_run):
    _, analysis, out = overground_run
    check = analysis.quality.get("person_choice")
    passes = analysis.persons.passes
    counts = [int(analysis.strides["contact_frame"].between(a, b).sum()) for a, b in passes]
    expected = f"2 passes with the whole body in view: {counts[0]}, {counts[1]} strides"
    assert expected in check.message
    assert analysis.quality.get("occlusion").verdict == "pass", "frames outside the passes are not occlusion"
    page = (out / "report.html").read_text(encoding="utf-8")
    assert expected in page
    assert [k for k, _, _ in _panel_rects(page)] == ["chosen"]
    record = json.loads((out / "analysis.json").read_text(encoding="utf-8"))["persons"]
    assert record["n_tracked"] == 1 and record["chosen_track_id"] is not None
    assert [(p["first_frame"], p["last_frame"]) for p in record["passes"]] == [tuple(map(int, p)) for p in passes]
    assert [p["strides"] for p in record["passes"]] == counts
    assert all(p["start_s"] < p["end_s"] for p in record["passes"])


@pytest.fixture(scope="session")
def partly_out_run(tmp_path_factory, clip):
    """5 s: the runner (left, smaller) drifts partly out through the left edge in frames 60-90 (the
    front foot, then half the body, past the edge) beside a larger person standing on the right."""
    path = tmp_path_factory.mktemp("persons") / "partly_out.mp4"
    x_range = make_pair_clip(clip, path, runner_side="left", other="frozen", max_frames=150, slide=(60, 90, 130))
    import runform

    return x_range, runform.analyze(path, write_video=False, write_report=False)


def test_runner_partly_out_of_the_frame(partly_out_run, labels):
    """Still the runner; analysed only while the whole body is in view; no stride across the drift."""
    (x0, x1), analysis = partly_out_run
    persons = analysis.persons
    assert persons.method == "auto" and persons.confidence >= 0.5
    centre_x = np.nanmedian((persons.chosen_boxes()[:, 0] + persons.chosen_boxes()[:, 2]) / 2)
    assert x0 <= centre_x <= x1
    passes = persons.passes
    assert len(passes) == 2 and passes[0][1] < 70 and passes[1][0] > 80, passes  # fully out 65-85
    frames = analysis.events["frame"]
    assert all(any(a <= f <= b for a, b in passes) for f in frames), "events only with the whole body in view"
    strides = analysis.strides
    assert not ((strides["contact_frame"] < passes[0][1]) & (strides["next_contact_frame"] > passes[1][0])).any()
    expected = labels[(labels["event"] == "contact")
                      & labels["frame"].apply(lambda f: any(a + PASS_EDGE_FRAMES <= f <= b - PASS_EDGE_FRAMES for a, b in passes))]  # fmt: skip
    found = match_events(analysis.events, expected)
    assert (found["error_frames"].abs() <= 1.0).mean() >= 0.8, found
    events = analysis.events
    contacts = events[(events["event"] == "contact") & events["frame"].between(labels["frame"].min(), labels["frame"].max())]
    precise = match_events(labels, contacts)  # each detected contact in the labelled frames against the nearest label
    assert (precise["error_frames"].abs() <= 1.0).all(), precise
