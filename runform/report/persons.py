"""The report's persons panel: everyone the person detector tracked, the analysed runner clearly.

One frame of the analysed window (:func:`panel_frame`) as a JPEG data URI under an SVG layer with
one ``rect`` per tracked person in that frame: the chosen runner drawn clearly (class ``person chosen``), the others faintly (class
``person other``), each titled with its track id. Boxes are frame pixels scaled like the image.
"""

from __future__ import annotations

import base64
from pathlib import Path

import cv2
import numpy as np

from runform.io import VIDEO_SUFFIXES, iter_frames

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
    ever in view; the earliest such frame (the report decodes the clip only up to it)."""
    alive = np.isfinite(persons.boxes_px[..., 0])
    present = alive.sum(axis=0)
    chosen = persons.chosen_boxes()
    if chosen is not None and np.isfinite(chosen[:, 0]).any():
        present = np.where(np.isfinite(chosen[:, 0]), present, -1)
    return int(np.argmax(present))


def persons_panel(persons, source: Path | None) -> dict | None:  # noqa: ANN001 - model.PersonTracks | None
    """``{"uri", "width", "height", "time_s", "boxes": [{"track_id", "chosen", "x", "y", "w", "h"}], "text"}``,
    or None without persons or a video source."""
    if persons is None or source is None or Path(source).suffix.lower() not in VIDEO_SUFFIXES or not persons.n_frames:
        return None
    i = panel_frame(persons)
    wanted = persons.first_frame + i
    frame = None
    for frame in iter_frames(source):
        if frame.index >= wanted:
            break
    if frame is None:
        return None
    h, w = frame.rgb.shape[:2]
    scale = min(1.0, MAX_HEIGHT_PX / h)
    img = cv2.resize(frame.rgb, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA)
    ok, jpg = cv2.imencode(".jpg", cv2.cvtColor(img, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 80])
    if not ok:
        return None
    boxes = [{"track_id": tid, "chosen": tid == persons.chosen_track_id, "x": round(float(b[0]), 1),
              "y": round(float(b[1]), 1), "w": round(float(b[2] - b[0]), 1), "h": round(float(b[3] - b[1]), 1)}
             for tid, b in zip(persons.track_ids, persons.boxes_px[:, i] * scale) if np.isfinite(b).all()]  # fmt: skip
    boxes.sort(key=lambda b: b["chosen"])  # the runner's box drawn last, on top
    return {"uri": "data:image/jpeg;base64," + base64.b64encode(jpg.tobytes()).decode(), "width": img.shape[1],
            "height": img.shape[0], "time_s": frame.time_s, "boxes": boxes, "text": persons_text(persons)}  # fmt: skip
