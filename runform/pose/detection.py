"""Every person in a frame: the BlazePose person detector bundled in the mediapipe wheel.

``mediapipe/modules/pose_detection/pose_detection.tflite`` (shipped in ``mediapipe==0.10.21``, never
downloaded) is run on CPU with the LiteRT interpreter (``ai-edge-litert``, the TFLite runtime on PyPI
that works with numpy<2; OpenCV's DNN importer cannot read the model's sparse ``DENSIFY`` weights).

Conventions: the frame is letterboxed (aspect ratio kept, zero padding) to the 224 x 224 input,
scaled to [-1, 1]. The model predicts, for each of 2254 SSD anchors, a score logit and 12 numbers:
a face box (x centre, y centre, width, height) and four keypoints (x, y), all relative to the anchor
and in input pixels. Keypoint 0 is the mid-hip centre, 1 a point on the circle that encloses the whole
body (its distance to keypoint 0 is the body radius), 2 the mid-shoulder centre, 3 a point on the
upper-body circle. Boxes returned here are in **frame pixels** (x right, y down) and are the
full-body square ``mid-hip +- radius`` (the region MediaPipe crops for the landmark model), so
``x0, y0, x1, y1`` is a person box, not the face box.

Decoder parameters are those of MediaPipe's ``pose_detection_cpu`` graph (SSD anchor options,
``TensorsToDetectionsCalculator`` options and weighted non-maximum suppression), re-implemented
in numpy.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from runform.errors import RunformError

#: Model input side (pixels) of ``pose_detection.tflite``.
INPUT_SIZE_PX = 224
#: SSD anchor layout of the pose detector (MediaPipe ``pose_detection_cpu`` graph): five layers,
#: strides 8, 16, 32, 32, 32, one aspect ratio plus the interpolated scale, fixed anchor size.
ANCHOR_STRIDES_PX = (8, 16, 32, 32, 32)
ANCHORS_PER_LAYER = 2
#: Number of anchors (= rows of the model output) for the layout above.
NUM_ANCHORS = 2254
#: Raw coordinate scale of the decoder (MediaPipe: x/y/w/h_scale = 224).
COORD_SCALE_PX = 224.0
#: Score logits are clipped to +-this before the sigmoid (MediaPipe ``score_clipping_thresh``).
SCORE_CLIP = 100.0


def model_path() -> Path:
    """Path of the person detector inside the installed mediapipe wheel."""
    import mediapipe

    return Path(mediapipe.__file__).parent / "modules" / "pose_detection" / "pose_detection.tflite"


@dataclass(frozen=True)
class Detection:
    """One person in one frame (frame pixels, y down)."""

    box_px: np.ndarray  # (4,) x0, y0, x1, y1 of the full-body square (may extend past the frame)
    score: float
    keypoints_px: np.ndarray  # (4, 2): mid-hip, full-body circle point, mid-shoulder, upper-body point

    @property
    def centre_px(self) -> np.ndarray:
        return self.keypoints_px[0]

    @property
    def radius_px(self) -> float:
        return float(np.linalg.norm(self.keypoints_px[1] - self.keypoints_px[0]))


@lru_cache(maxsize=1)
def ssd_anchor_centres() -> np.ndarray:
    """Anchor centres (NUM_ANCHORS, 2) in [0, 1], MediaPipe ``SsdAnchorsCalculator`` order.

    With ``fixed_anchor_size`` every anchor has width = height = 1, so only centres matter.
    Consecutive layers with the same stride share one feature map; each layer adds
    ``ANCHORS_PER_LAYER`` anchors per cell (aspect ratio 1 and the interpolated scale).
    """
    centres = []
    layer = 0
    while layer < len(ANCHOR_STRIDES_PX):
        stride = ANCHOR_STRIDES_PX[layer]
        n_layers = 1
        while layer + n_layers < len(ANCHOR_STRIDES_PX) and ANCHOR_STRIDES_PX[layer + n_layers] == stride:
            n_layers += 1
        side = int(np.ceil(INPUT_SIZE_PX / stride))
        ys, xs = np.meshgrid((np.arange(side) + 0.5) / side, (np.arange(side) + 0.5) / side, indexing="ij")
        cell = np.stack([xs.ravel(), ys.ravel()], axis=1)
        centres.append(np.repeat(cell, n_layers * ANCHORS_PER_LAYER, axis=0))
        layer += n_layers
    out = np.concatenate(centres)
    assert len(out) == NUM_ANCHORS, len(out)
    return out


def decode(raw_boxes: np.ndarray, raw_scores: np.ndarray, min_score: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decode model outputs to (boxes (n, 4) x0 y0 x1 y1, keypoints (n, 4, 2), scores (n,)).

    Coordinates are normalised to the letterboxed input ([0, 1]); ``boxes`` are the face boxes
    the model predicts (only used for suppression).
    """
    raw_boxes = raw_boxes.reshape(NUM_ANCHORS, 12)
    logits = np.clip(raw_scores.reshape(NUM_ANCHORS).astype(np.float64), -SCORE_CLIP, SCORE_CLIP)
    scores = 1.0 / (1.0 + np.exp(-logits))
    keep = scores >= min_score
    raw, anchors, scores = raw_boxes[keep], ssd_anchor_centres()[keep], scores[keep]
    centre = raw[:, 0:2] / COORD_SCALE_PX + anchors
    half = raw[:, 2:4] / COORD_SCALE_PX / 2
    boxes = np.concatenate([centre - half, centre + half], axis=1)
    kps = raw[:, 4:12].reshape(-1, 4, 2) / COORD_SCALE_PX + anchors[:, None, :]
    return boxes, kps, scores


def iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Intersection over union of one box (4,) with many (n, 4), x0 y0 x1 y1."""
    x0 = np.maximum(box[0], boxes[:, 0])
    y0 = np.maximum(box[1], boxes[:, 1])
    x1 = np.minimum(box[2], boxes[:, 2])
    y1 = np.minimum(box[3], boxes[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    return inter / np.maximum(area + areas - inter, 1e-12)


def weighted_nms(boxes: np.ndarray, kps: np.ndarray, scores: np.ndarray,
                 iou_threshold: float) -> list[tuple[np.ndarray, np.ndarray, float]]:  # fmt: skip
    """MediaPipe's weighted non-maximum suppression.

    Take the best remaining candidate, average the boxes and keypoints of every candidate that
    overlaps it by more than ``iou_threshold`` (weights = scores), keep the best score. Returns
    ``(box, keypoints, score)`` tuples, best first.
    """
    order = np.argsort(-scores)
    out = []
    while len(order):
        in_group = iou(boxes[order[0]], boxes[order]) > iou_threshold
        in_group[0] = True
        group = order[in_group]
        w = scores[group]
        box = np.average(boxes[group], axis=0, weights=w)
        kp = np.average(kps[group], axis=0, weights=w)
        out.append((box, kp, float(scores[order[0]])))
        order = order[~in_group]
    return out


class PersonDetector:
    """Find every person in an RGB frame with the bundled BlazePose detector.

    Parameters
    ----------
    min_score:
        Minimum detection score (MediaPipe's graph uses 0.5).
    nms_iou:
        Overlap above which two candidates are merged (MediaPipe: 0.3, weighted).
    max_persons:
        Keep at most this many detections, best first.
    num_threads:
        CPU threads of the interpreter (1: the machine is shared, and tracking runs it rarely).
    """

    def __init__(self, min_score: float = 0.5, nms_iou: float = 0.3, max_persons: int = 8,
                 num_threads: int = 1) -> None:  # fmt: skip
        self.min_score = min_score
        self.nms_iou = nms_iou
        self.max_persons = max_persons
        self.num_threads = num_threads
        self._interpreter = None

    def _load(self):  # noqa: ANN202 - LiteRT interpreter
        if self._interpreter is None:
            try:
                from ai_edge_litert.interpreter import Interpreter
            except ImportError as exc:  # pragma: no cover - a declared dependency
                raise RunformError(
                    "The person detector needs the LiteRT runtime",
                    expected="the ai-edge-litert package (a runform dependency)",
                    found=str(exc),
                    fix="reinstall runform: pip install -e .",
                ) from None
            it = Interpreter(model_path=str(model_path()), num_threads=self.num_threads)
            it.allocate_tensors()
            inp, outs = it.get_input_details()[0], it.get_output_details()
            boxes = next(o for o in outs if o["shape"][-1] == 12)
            scores = next(o for o in outs if o["shape"][-1] == 1)
            self._interpreter = (it, inp["index"], boxes["index"], scores["index"])
        return self._interpreter

    def detect(self, rgb: np.ndarray) -> list[Detection]:
        """Detections in ``rgb`` (H, W, 3 uint8), best score first, boxes in frame pixels."""
        import cv2

        it, inp, out_boxes, out_scores = self._load()
        h, w = rgb.shape[:2]
        scale = INPUT_SIZE_PX / max(h, w)
        nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
        pad_x, pad_y = (INPUT_SIZE_PX - nw) // 2, (INPUT_SIZE_PX - nh) // 2
        tensor = np.zeros((1, INPUT_SIZE_PX, INPUT_SIZE_PX, 3), dtype=np.float32)
        small = cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_AREA)
        tensor[0, pad_y:pad_y + nh, pad_x:pad_x + nw] = small.astype(np.float32) / 127.5 - 1.0
        it.set_tensor(inp, tensor)
        it.invoke()
        boxes, kps, scores = decode(it.get_tensor(out_boxes), it.get_tensor(out_scores), self.min_score)
        found = weighted_nms(boxes, kps, scores, self.nms_iou)[: self.max_persons]
        offset = np.array([pad_x, pad_y]) / INPUT_SIZE_PX
        to_px = INPUT_SIZE_PX / scale
        result = []
        for _, kp, score in found:
            kp_px = (kp - offset) * to_px
            r = float(np.linalg.norm(kp_px[1] - kp_px[0]))
            c = kp_px[0]
            result.append(Detection(np.array([c[0] - r, c[1] - r, c[0] + r, c[1] + r]), score, kp_px))
        return result
