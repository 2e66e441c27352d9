"""The refused-clip diagnostic: whom runform looked at and why the quality gate refused.

``diagnostic.html`` (self-contained apart from its key-frame PNGs beside it, no network), marked
REFUSED: the refusals, the whole quality table, who was tracked and how the runner was chosen, and
``n_key_frames`` frames spread over the analysed window, each with every tracked person's box
drawn faintly and the chosen person's box and tracked skeleton drawn clearly, and a caption
saying whom runform followed in that frame, or, when no skeleton is drawn, that it followed nobody
there and what that means for the refusal. Written by :func:`runform.pipeline.run` into the output
folder when the gate refuses (exit code 6 stays).
"""

from __future__ import annotations

import html
import logging
from pathlib import Path

import cv2
import numpy as np

from runform.io import VIDEO_SUFFIXES, iter_frames
from runform.report.overlay import draw_persons, draw_skeleton, drawn_legs, person_boxes
from runform.report.persons import persons_text

logger = logging.getLogger(__name__)

__all__ = ["DIAGNOSTIC_FILE", "frame_contents", "key_frame_caption", "key_frame_times", "render_diagnostic", "write_diagnostic"]

DIAGNOSTIC_FILE = "diagnostic.html"
#: Key frames are scaled down to at most this height (pixels).
MAX_HEIGHT_PX = 480


def key_frame_times(time_s: np.ndarray, n_key_frames: int) -> list[float]:
    """``n_key_frames`` times spread evenly over the analysed window (its ends excluded)."""
    if len(time_s) == 0 or n_key_frames <= 0:
        return []
    fractions = (np.arange(n_key_frames) + 0.5) / n_key_frames
    return [float(time_s[0] + f * (time_s[-1] - time_s[0])) for f in fractions]


def write_diagnostic(analysis, source: Path, folder: Path, n_key_frames: int = 4) -> Path:  # noqa: ANN001 - model.Analysis
    """Write ``diagnostic.html`` and ``keyframe-<k>.png`` into ``folder``; returns the HTML path."""
    folder = Path(folder)
    images = []
    for k, (t, img, shown) in enumerate(_annotated_frames(analysis, Path(source), n_key_frames), start=1):
        name = f"keyframe-{k}.png"
        if cv2.imwrite(str(folder / name), cv2.cvtColor(img, cv2.COLOR_RGB2BGR)):
            images.append((name, t, shown))
        else:  # pragma: no cover - disk errors surface on the HTML write below
            logger.warning("could not write the key frame %s; the diagnostic lists it without an image", name)
    path = folder / DIAGNOSTIC_FILE
    path.write_text(render_diagnostic(analysis, images), encoding="utf-8")
    return path


def _annotated_frames(analysis, source: Path, n_key_frames: int) -> list[tuple[float, np.ndarray, dict]]:  # noqa: ANN001
    """(time, RGB image, what it shows: :func:`frame_contents`) of the key frames with persons and
    the tracked skeleton; none for keypoint files."""
    if source.suffix.lower() not in VIDEO_SUFFIXES:
        return []
    kp = analysis.keypoints
    wanted = key_frame_times(kp.time_s, n_key_frames)
    if not wanted:
        return []
    found: dict[int, tuple[float, int, np.ndarray]] = {}
    for frame in iter_frames(source):
        for k, t in enumerate(wanted):
            if k not in found or abs(frame.time_s - t) < abs(found[k][0] - t):
                found[k] = (frame.time_s, frame.index, frame.rgb)
        if frame.time_s > wanted[-1] + 0.1:
            break
    direction = analysis.cleaning.direction
    near = "left" if direction < 0 else "right"
    out = []
    for k in sorted(found):
        t, index, rgb = found[k]
        i = int(np.argmin(np.abs(kp.time_s - t)))
        img = draw_skeleton(draw_persons(rgb, analysis.persons, index), kp, i, direction, near)
        scale = min(1.0, MAX_HEIGHT_PX / img.shape[0])
        img = cv2.resize(img, (int(img.shape[1] * scale), int(img.shape[0] * scale)), interpolation=cv2.INTER_AREA)
        out.append((t, img, frame_contents(analysis.persons, kp, index, i)))
    return out


def frame_contents(persons, kp, clip_frame: int, i: int) -> dict:  # noqa: ANN001 - PersonTracks | None, Keypoints
    """What the key frame of decoded frame ``clip_frame`` (keypoint row ``i``) shows, as
    :func:`draw_persons` and :func:`draw_skeleton` draw it: ``skeleton`` (a leg is drawn: all its
    landmarks are known), ``runner`` (the chosen person's track id when its box is drawn, else
    None), ``others`` (faint boxes drawn), ``detection`` (person detection ran), ``chosen`` (the
    chosen person's track id, drawn or not)."""
    boxes = person_boxes(persons, clip_frame)
    runner = None if boxes is None or boxes[0] is None else persons.chosen_track_id
    return {"skeleton": bool(drawn_legs(kp, i)), "runner": runner, "others": 0 if boxes is None else len(boxes[1]),
            "detection": persons is not None, "chosen": None if persons is None else persons.chosen_track_id}  # fmt: skip


def _others(n: int) -> str:
    return f"{n} other {'person' if n == 1 else 'people'}"


def key_frame_caption(t: float, shown: dict | None) -> str:
    """The key frame's caption (plain text): its time and whom runform followed in it, or, with no
    skeleton drawn, that it followed nobody there and why that matters for the refusal."""
    when = f"t = {t:.2f} s."
    if shown is None:
        return when
    others = f" {_others(shown['others']).capitalize()} in faint grey." if shown["others"] else ""
    if shown["skeleton"]:
        if shown["runner"] is not None:
            who = f"Followed: person {shown['runner']} (yellow box), with the skeleton the pose model tracked."
        elif not shown["detection"]:
            who = "Followed: the pose model's own choice of runner (no person detection ran), skeleton drawn."
        elif shown["chosen"] is None:
            who = "Followed: the pose model's own choice of runner (the person detector found nobody), skeleton drawn."
        else:
            who = f"Followed: the skeleton the pose model tracked; person {shown['chosen']}'s box is not tracked in this frame."
        return f"{when} {who}{others}"
    if shown["runner"] is not None:
        why = f"person {shown['runner']} (yellow box) is in view, but the pose model found no complete leg for them here."
    elif shown["others"]:
        why = f"{_others(shown['others'])} detected (faint grey), but not the analysed runner."
    elif shown["detection"]:
        why = "nobody was tracked here."
    else:
        why = "the pose model found no complete leg here."
    return (f"{when} No skeleton: runform followed nobody in this frame: {why} Nothing is measured in frames like"
            " this, so they give the quality gate no strides or angles to check (see Why above).")


def render_diagnostic(analysis, images: list[tuple[str, float]]) -> str:  # noqa: ANN001 - model.Analysis
    """The diagnostic page; ``images`` are (file name, time s[, what it shows: :func:`frame_contents`])
    of the key frames beside it."""
    e = html.escape
    refusals = analysis.quality.refusals
    rows = "".join(
        f"<tr class='{e(c.verdict)}'><td>{e(c.verdict.upper())}</td><td>{e(c.name)}</td><td>{e('–' if c.value is None else str(c.value))}</td>"
        f"<td>{e(c.threshold)}</td><td>{e(c.message)}</td><td>{e(c.fix)}</td></tr>"
        for c in analysis.quality.checks
    )
    why = "".join(f"<li><b>{e(c.name)}</b>: {e(c.message)}" + (f" &mdash; {e(c.fix)}" if c.fix else "") + "</li>"
                  for c in refusals)  # fmt: skip
    figures = "".join(_figure(*image) for image in images)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>REFUSED - runform diagnostic - {e(analysis.clip_name)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:1100px}}h1{{color:#b00020}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}}
tr.refuse{{background:#fde2e4}}tr.warn{{background:#fff4d6}}
.frames{{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,440px),1fr));gap:1em;align-items:start}}
figure{{margin:0}}figure img{{display:block;max-width:100%;max-height:480px;margin:0 auto}}
figcaption{{font-size:.9em;margin-top:.4em;line-height:1.35}}
figcaption.nobody{{color:#8a1020;background:#fde2e4;padding:.3em .5em;border-radius:4px}}
@media (max-width:600px){{body{{margin:1em}}table{{display:block;overflow-x:auto}}}}</style></head><body>
<h1>REFUSED: {e(analysis.clip_name)}</h1>
<p>The quality gate refused this clip, so no metrics or coaching were produced (exit code 6).
This page shows whom runform looked at and why it failed.</p>
<h2>Why</h2><ul>{why}</ul>
<h2>Who was analysed</h2><p>{e(persons_text(analysis.persons))}</p>
<h2>Key frames</h2><p>Yellow box: the person analysed, with the skeleton the pose model tracked; faint grey boxes:
other people detected. A frame without a skeleton is one in which runform followed nobody; its caption says why.</p>
{f'<div class="frames">{figures}</div>' if figures else "<p>(no video frames: keypoint input)</p>"}
<h2>Quality checks</h2><table><tr><th>verdict</th><th>check</th><th>value</th><th>threshold</th><th>finding</th>
<th>what to do</th></tr>{rows}</table>
</body></html>
"""


def _figure(name: str, t: float, shown: dict | None = None) -> str:
    """One key frame (linked to its full-size PNG) with its caption; flagged when nobody was followed."""
    e = html.escape
    flag = " class='nobody'" if shown is not None and not shown["skeleton"] else ""
    return (f"<figure><a href='{e(name)}'><img src='{e(name)}' alt='key frame at {t:.2f} s'></a>"
            f"<figcaption{flag}>{e(key_frame_caption(t, shown))}</figcaption></figure>")
