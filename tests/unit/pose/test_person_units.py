"""Unit tests of the person detector's decoding, the tracker, the runner choice and the crops (no video)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from runform.pose.detection import COORD_SCALE_PX, NUM_ANCHORS, Detection, decode, ssd_anchor_centres, weighted_nms
from runform.pose.persons import crop, crop_windows, find_passes, tile_grid, whole_body_in_view
from runform.pose.selection import choose_runner, join_passes, running_periodicity
from runform.pose.tracking import PersonTracker


def test_anchor_layout():
    a = ssd_anchor_centres()
    assert a.shape == (NUM_ANCHORS, 2)
    # 28x28 cells x 2, 14x14 x 2, then 7x7 x 6 (three stride-32 layers share one map)
    assert np.allclose(a[0], [0.5 / 28, 0.5 / 28]) and np.allclose(a[1], a[0])
    assert np.allclose(a[1568], [0.5 / 14, 0.5 / 14])
    assert np.allclose(a[1960:1966], [0.5 / 7, 0.5 / 7]) and np.allclose(a[-1], [6.5 / 7, 6.5 / 7])


def test_decode_offsets_are_relative_to_the_anchor():
    raw = np.zeros((1, NUM_ANCHORS, 12), dtype=np.float32)
    scores = np.full((1, NUM_ANCHORS, 1), -10.0, dtype=np.float32)
    scores[0, 100] = 5.0
    raw[0, 100, :4] = [22.4, -22.4, 44.8, 22.4]  # centre +0.1, -0.1; size 0.2 x 0.1 (normalised)
    raw[0, 100, 4:6] = [0.0, 11.2]  # mid-hip 0.05 below the anchor
    boxes, kps, s = decode(raw, scores, min_score=0.5)
    anchor = ssd_anchor_centres()[100]
    assert len(boxes) == 1 and s[0] == pytest.approx(1 / (1 + np.exp(-5)))
    assert np.allclose((boxes[0, :2] + boxes[0, 2:]) / 2, anchor + [0.1, -0.1])
    assert np.allclose(boxes[0, 2:] - boxes[0, :2], [44.8 / COORD_SCALE_PX, 22.4 / COORD_SCALE_PX])
    assert np.allclose(kps[0, 0], anchor + [0, 0.05])


def test_weighted_nms_merges_overlaps_and_keeps_separate_people():
    boxes = np.array([[0, 0, 1, 1], [0.05, 0, 1.05, 1], [3, 3, 4, 4]], dtype=float)
    kps = np.stack([np.full((4, 2), v) for v in (0.0, 1.0, 5.0)])
    out = weighted_nms(boxes, kps, np.array([0.9, 0.3, 0.8]), iou_threshold=0.3)
    assert len(out) == 2
    box, kp, score = out[0]
    assert score == 0.9 and kp[0, 0] == pytest.approx(0.3 / 1.2)  # score-weighted mean
    assert out[1][2] == 0.8


def _det(cx: float, cy: float, r: float = 50.0, score: float = 0.9) -> Detection:
    kps = np.array([[cx, cy], [cx, cy - r], [cx, cy - r / 2], [cx, cy - r]])
    return Detection(np.array([cx - r, cy - r, cx + r, cy + r]), score, kps)


def test_tracker_keeps_two_people_apart_through_missed_detections():
    tracker = PersonTracker(fps=30)
    for f in range(0, 90, 6):
        dets = [_det(100 + 2 * f, 200)]  # walks right at 2 px/frame
        if f % 18:  # the second person is missed every third round
            dets.append(_det(400, 200))
        tracker.update(f, dets)
    ids, boxes = tracker.boxes(90, hold_frames=6)
    assert len(ids) == 2
    centres = (boxes[:, 60, 0] + boxes[:, 60, 2]) / 2
    assert sorted(np.round(centres)) == [220, 400]


def test_tracker_ignores_duplicates_and_weak_births():
    tracker = PersonTracker(fps=30)
    for f in range(0, 60, 6):
        tracker.update(f, [_det(200, 200), _det(205, 210, r=45), _det(600, 200, score=0.35)])
    ids, _ = tracker.boxes(60)
    assert len(ids) == 1


def test_running_periodicity_separates_running_from_walking_rhythm():
    fps, t = 30.0, np.arange(300) / 30.0
    run_ = running_periodicity(5 + np.sin(2 * np.pi * 1.42 * t), fps)  # stride 1.42 Hz (170 steps/min)
    walk = running_periodicity(5 + np.sin(2 * np.pi * 0.9 * t), fps)  # walking stride
    still = running_periodicity(np.random.default_rng(0).normal(0.5, 0.1, 300), fps)
    assert run_[0] > 0.5 and run_[1] == pytest.approx(1.42, abs=0.1)
    assert walk[0] < 0.3 and still[0] < 0.3


def test_choose_runner_scores_and_overrides():
    fps, n = 30.0, 300
    t = np.arange(n) / fps
    boxes = np.stack([np.tile([0, 0, 100, 100], (n, 1)), np.tile([200, 0, 400, 200], (n, 1))]).astype(float)
    energy = {0: 5 + 3 * np.sin(2 * np.pi * 1.4 * t), 1: np.full(n, 0.5)}
    auto = choose_runner([0, 1], boxes, energy, fps)
    assert auto.track_id == 0 and auto.confidence > 0.9
    assert choose_runner([0, 1], boxes, energy, fps, person="largest").track_id == 1
    assert choose_runner([0, 1], boxes, energy, fps, person="right").track_id == 1
    assert choose_runner([0, 1], boxes, energy, fps, person="50,50").track_id == 0


def test_running_periodicity_of_a_short_track():
    """One pass across the frame can be shorter than the 2 s drift filter (it used to raise)."""
    fps, t = 30.0, np.arange(56) / 30.0
    periodic, freq = running_periodicity(5 + np.sin(2 * np.pi * 1.42 * t), fps)
    assert periodic > 0.3 and freq == pytest.approx(1.42, abs=0.15)


def _tracks(spans, sizes, freqs, n=400, fps=30.0):
    """Boxes and leg energy of tracks alive over ``spans`` (first, last frame), box side ``sizes``."""
    t = np.arange(n) / fps
    boxes = np.full((len(spans), n, 4), np.nan)
    energy = {}
    for k, ((a, b), side, f) in enumerate(zip(spans, sizes, freqs)):
        boxes[k, a:b + 1] = [100 + k, 50, 100 + k + side, 50 + side]
        e = np.full(n, np.nan)
        e[a:b + 1] = (5 + np.sin(2 * np.pi * f * t) if f else np.random.default_rng(k).normal(0.5, 0.1, n))[a:b + 1]
        energy[k + 1] = e
    return [k + 1 for k in range(len(spans))], boxes, energy


def test_join_passes_joins_one_runners_passes_only():
    # runner passes 1 and 3 (same size and rhythm), a bystander (2) overlapping pass 1, a smaller runner (4)
    ids, boxes, energy = _tracks([(0, 90), (20, 300), (140, 230), (250, 399)], [200, 210, 205, 100],
                                 [1.42, 0.0, 1.45, 1.42])  # fmt: skip
    new_ids, joined, merged = join_passes(ids, boxes, energy, 30.0)
    assert new_ids == [1, 2, 4]
    alive = np.isfinite(joined[0, :, 0])
    assert alive[0:91].all() and alive[140:231].all() and not alive[91:140].any() and not alive[231:].any()
    assert np.isfinite(merged[1][140:231]).all()
    choice = choose_runner(new_ids, joined, merged, 30.0)
    assert choice.track_id == 1


@pytest.mark.parametrize("spans, sizes, freqs", [
    ([(0, 90), (80, 200)], [200, 200], [1.42, 1.42]),
    ([(0, 90), (120, 220)], [200, 300], [1.42, 1.42]),
    ([(0, 90), (120, 220)], [200, 200], [1.42, 0.9]),
    ([(0, 90), (120, 220)], [200, 200], [1.42, 0.0]),
], ids=["overlapping", "other-size", "walking", "standing"])  # fmt: skip
def test_join_passes_keeps_different_people_apart(spans, sizes, freqs):
    ids, boxes, energy = _tracks(spans, sizes, freqs)
    assert join_passes(ids, boxes, energy, 30.0)[0] == ids


def test_crop_pads_outside_the_frame_and_windows_follow_the_track():
    img = np.arange(10 * 10 * 3, dtype=np.uint8).reshape(10, 10, 3)
    out = crop(img, np.array([-2, 5, 6]))
    assert out.shape == (6, 6, 3) and (out[:, :2] == 0).all() and (out[5:] == 0).all()
    assert (out[0, 2:] == img[5, :4]).all()
    boxes = np.array([[0, 0, 100, 100], [10, 0, 110, 100], [np.nan] * 4])
    w = crop_windows(boxes, margin=1.0)
    assert w[0].tolist() == [0, 0, 100] and w[1].tolist() == [10, 0, 100] and w[2, 2] == -1


@pytest.mark.parametrize("size", [(720, 1280), (1768, 994), (1000, 1000)])
def test_tiles_cover_the_frame(size):
    w, h = size
    tiles = tile_grid(w, h, 2 / 3)
    covered = np.zeros((h, w), dtype=bool)
    for x, y, s in tiles:
        assert x >= 0 and y >= 0 and x + s <= w and y + s <= h
        covered[y:y + s, x:x + s] = True
    assert covered.all()


def test_passes_bridge_short_gaps_and_drop_short_stretches():
    fps = 30.0
    view = np.zeros(300, dtype=bool)
    view[10:100] = True  # pass 1, with a 3-frame blip out of view
    view[50:53] = False
    view[150:160] = True  # 1/3 s: too short to be a pass
    view[200:290] = True  # pass 2
    assert find_passes(view, fps) == [(10, 99), (200, 289)]
    assert find_passes(np.ones(60, dtype=bool), fps) == [(0, 59)]
    assert find_passes(np.zeros(60, dtype=bool), fps) == []


def test_whole_body_in_view_needs_every_body_point_inside():
    xy = np.full((3, 33, 2), 100.0)
    xy[1, 31, 0] = 650.0  # a toe past the right edge of a 640 px frame
    xy[2, 0] = np.nan  # no nose
    assert whole_body_in_view(xy, (640, 480)).tolist() == [True, False, False]


def test_tracker_keeps_a_body_part_from_taking_over_or_starting_a_track():
    tracker = PersonTracker(fps=30)
    for f in range(0, 60, 6):
        dets = [_det(300, 300, r=200)]
        if f in (24, 36):
            dets = [_det(330, 250, r=30)]  # a tile's box around a hand, inside the runner
        tracker.update(f, dets)
    ids, boxes = tracker.boxes(60)
    assert len(ids) == 1 and np.nanmin(boxes[0, :, 2] - boxes[0, :, 0]) > 300


def test_smoothing_boxes_outside_a_track_gives_nan_without_a_warning():
    from runform.pose.persons import _smooth_boxes

    rng = np.random.default_rng(0)
    boxes = rng.uniform(0, 100, (2, 30, 4))
    boxes[0, :12] = np.nan  # the track starts later: whole windows of NaN
    boxes[1, 20:] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        out = _smooth_boxes(boxes, window=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the reference: a plain running nanmedian
        padded = np.pad(boxes, ((0, 0), (2, 2), (0, 0)), constant_values=np.nan)
        expected = np.nanmedian(np.lib.stride_tricks.sliding_window_view(padded, 5, axis=1), axis=-1)
    expected = np.where(np.isfinite(boxes[..., :1]), expected, np.nan)
    np.testing.assert_array_equal(out, expected)
    assert np.isnan(out[0, :12]).all() and np.isfinite(out[0, 12:]).all()
