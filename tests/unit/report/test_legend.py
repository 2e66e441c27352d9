"""The annotated video's legend: rendered once, blended per frame (runform.report.overlay.Legend)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from runform.report.overlay import Legend, legend_entries


def _drawn_per_frame(img: np.ndarray, legend: Legend, entries) -> np.ndarray:  # noqa: ANN001
    """Reference: darken the panel, then draw each line with anti-aliased putText on the frame."""
    out = img.copy()
    rows, cols = legend.box
    out[rows, cols] = (out[rows, cols] * 0.4).astype(np.uint8)
    panel = out[rows, cols]
    for row, (text, colour) in enumerate(entries):
        cv2.putText(panel, text, (8, 8 + 20 * row + 8), cv2.FONT_HERSHEY_SIMPLEX, 0.5, colour, 1, cv2.LINE_AA)
    return out


@pytest.mark.parametrize("near", ["left", "right"])
def test_the_blended_legend_matches_drawing_it_on_the_frame(near):
    rng = np.random.default_rng(1)
    img = (rng.random((720, 404, 3)) * 255).astype(np.uint8)
    legend = Legend(img.shape, near, others=True, runner_box=True)
    out = legend.draw(img)
    reference = _drawn_per_frame(img, legend, legend_entries(near, True, True))
    assert np.abs(out.astype(int) - reference).max() <= 6
    rows, cols = legend.box
    outside = np.ones(img.shape[:2], dtype=bool)
    outside[rows, cols] = False
    assert (out[outside] == img[outside]).all()  # nothing drawn outside the panel
    assert (img == legend.draw(img.copy(), inplace=True)).sum() < img.size  # in place draws on the frame itself


@pytest.mark.parametrize("shape", [(60, 90, 3), (400, 60, 3), (2, 2, 3)])
def test_tiny_frames_get_a_legend_without_error(shape):
    img = np.zeros(shape, np.uint8)
    out = Legend(img.shape, "left", others=True, runner_box=True, keep_left_px=300).draw(img)
    assert out.shape == img.shape
