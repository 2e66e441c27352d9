"""The report's persons panel: everyone the person detector tracked, the analysed runner clearly.

One frame of the analysed window (:func:`panel_frame`) as a JPEG data URI under an SVG layer with
one ``rect`` per tracked person in that frame: the chosen runner drawn clearly (class ``person chosen``), the others faintly (class
``person other``), each titled with its track id. Boxes are frame pixels scaled like the image.

The frame comes from the annotated video's pass over the frames when there is one (a
:class:`~runform.report.keyframes.KeyFrameGrabber` keeps it, by decoded-frame index, along with the
key frames); without a video (``--no-video``, keypoint files have no panel at all) the clip is
decoded up to that frame here.
"""

from __future__ import annotations

import base64
import logging
from pathlib import Path

import cv2
import numpy as np

from runform.io import VIDEO_SUFFIXES, iter_frames

logger = logging.getLogger(__name__)

__all__ = ["panel_frame", "persons_panel", "persons_text"]

#: The panel's frame is scaled down to at most this height (pixels).
MAX_HEIGHT_PX = 480


def persons_text(persons) -> str:  # noqa: ANN001 - model.PersonTracks | None
    """One paragraph: how many people were tracked, whom runform analysed and how sure the choice was."""
    if persons is None:
        return "No person detection ran (keypoint input)."
    if persons.chosen_track_id is None:
        return "The person detector found nobody; the pose model's own choice was analysed."
    how = {"auto": "as the one with the most running-like leg motion", "only-person": "as the only person in view"}
    text = (f"{persons.n_persons} {'person' if persons.n_persons == 1 else 'people'} tracked; person "
            f"{persons.chosen_track_id} was analysed, chosen {how.get(persons.method, 'by --person ' + persons.method)} "
            f"(choice confidence {persons.confidence:.0%}).")  # fmt: skip
    if persons.passes:
        text += f" Whole body in view in {len(persons.passes)} stretch(es)."
    return text


def panel_frame(persons) -> int:  # noqa: ANN001 - model.PersonTracks
    """Analysed-frame index with the most tracked people in view, the runner among them when it is
    ever in view; the earliest such frame (a pass over the clip need go only up to it). Decoded
    frame ``persons.first_frame + panel_frame(persons)`` of the clip."""
    alive = np.isfinite(persons.boxes_px[..., 0])
    present = alive.sum(axis=0)
    chosen = persons.chosen_boxes()
    if chosen is not None and np.isfinite(chosen[:, 0]).any():
        present = np.where(np.isfinite(chosen[:, 0]), present, -1)
    return int(np.argmax(present))


def persons_panel(persons, source: Path | None, grabber=None) -> dict | None:  # noqa: ANN001 - PersonTracks, KeyFrameGrabber
    """``{"uri", "width", "height", "time_s", "boxes": [{"track_id", "chosen", "x", "y", "w", "h"}], "text"}``,
    or None without persons or a video source.

    ``grabber``: the pass over the video that kept the panel's frame (waits for it to finish);
    without one, or when that pass ended before the frame, ``source`` is decoded up to it."""
    if persons is None or source is None or Path(source).suffix.lower() not in VIDEO_SUFFIXES or not persons.n_frames:
        return None
    i = panel_frame(persons)
    kept = grabber.panel_image() if grabber is not None else None
    if kept is None:
        if grabber is not None:
            logger.info("the video pass did not reach the persons panel's frame; decoding the clip for it")
        kept = _decode_panel_frame(persons.first_frame + i, Path(source))
    if kept is None:
        return None
    time_s, rgb, scale = kept
    return _panel(persons, i, rgb, time_s, scale)


def _decode_panel_frame(wanted: int, source: Path) -> tuple[float, np.ndarray, tuple[float, float]] | None:
    """(clip time s, RGB, (1, 1)) of decoded frame ``wanted``, decoding ``source`` up to it."""
    frame = None
    for frame in iter_frames(source):
        if frame.index >= wanted:
            break
    return None if frame is None else (frame.time_s, frame.rgb, (1.0, 1.0))


def _panel(persons, i: int, rgb: np.ndarray, time_s: float, scale: tuple[float, float]) -> dict | None:  # noqa: ANN001
    """The panel of analysed frame ``i`` (:func:`panel_frame`) from the frame ``rgb`` at clip time
    ``time_s``; ``scale``: (x, y) from the analysis's frame pixels to ``rgb``'s."""
    h, w = rgb.shape[:2]
    factor = min(1.0, MAX_HEIGHT_PX / h)
    img = cv2.resize(rgb, (max(1, int(w * factor)), max(1, int(h * factor))), interpolation=cv2.INTER_AREA)
    ok, jpg = cv2.imencode(".jpg", cv2.cvtColor(img, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 80])
    if not ok:
        return None
    to_img = np.array([scale[0], scale[1], scale[0], scale[1]]) * factor  # x0, y0, x1, y1
    boxes = [{"track_id": tid, "chosen": tid == persons.chosen_track_id, "x": round(float(b[0]), 1),
              "y": round(float(b[1]), 1), "w": round(float(b[2] - b[0]), 1), "h": round(float(b[3] - b[1]), 1)}
             for tid, b in zip(persons.track_ids, persons.boxes_px[:, i] * to_img)
             if np.isfinite(b).all()]  # fmt: skip
    boxes.sort(key=lambda b: b["chosen"])  # the runner's box drawn last, on top
    return {"uri": "data:image/jpeg;base64," + base64.b64encode(jpg.tobytes()).decode(), "width": img.shape[1],
            "height": img.shape[0], "time_s": float(time_s), "boxes": boxes, "text": persons_text(persons)}  # fmt: skip
