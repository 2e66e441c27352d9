"""Streaming video reader (PyAV): real timestamps, rotation metadata honoured, bounded memory.

Frames are decoded one at a time in a background thread into a small bounded queue, so pose
estimation overlaps with decoding and memory does not grow with the clip's length. A pass may also
keep every frame reduced (:class:`ReducedFrames`, within a fixed memory budget) for a later pass
at that size.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from runform.errors import InputError
from runform.io.paths import check_input_file

logger = logging.getLogger(__name__)

VIDEO_SUFFIXES = (".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v")
#: Refuse frames larger than this many pixels (about 8K UHD): decoding them would exhaust memory.
MAX_PIXELS = 7680 * 4320
#: Frame rate assumed when a file states none (the commonest phone rate); a warning says so.
FALLBACK_FPS = 30.0


@dataclass(frozen=True)
class VideoFrame:
    index: int
    time_s: float
    rgb: np.ndarray  # (height, width, 3) uint8, already rotated upright


@dataclass(frozen=True)
class VideoInfo:
    path: str
    codec: str
    width_px: int  # after rotation
    height_px: int
    rotation_deg: int  # clockwise rotation applied to the stored frames
    nominal_fps: float
    n_frames_estimate: int
    duration_s: float
    #: ``duration_s`` is the video track's own (mp4/mov); False: the file's, which may include a
    #: longer audio track or a start offset (Matroska/WebM), so it cannot tell a truncated file.
    duration_from_video_track: bool = True


def reduced_size_px(width_px: int, height_px: int, max_long_side_px: int) -> tuple[int, int]:
    """(width, height) of a reduced copy: at most ``max_long_side_px`` on the long side, even numbers."""
    scale = min(1.0, max_long_side_px / max(width_px, height_px))
    return max(2, int(width_px * scale) // 2 * 2), max(2, int(height_px * scale) // 2 * 2)


class ReducedFrames:
    """Reduced upright copies of every frame of a clip, kept while one pass decodes it, so that a
    later pass at that size (the annotated video and the report's key frames) need not decode the
    clip again: on the 12 s 720 x 1280 demo clip decoding and scaling cost about 1.2 CPU-s, keeping
    the copies about 0.25 and turning them into RGB again 0.1 (``benchmarks/outputs.py``).

    ``size_px``: (width, height) of the upright copies. Limited-range 4:2:0 frames that are reduced
    are kept as their resized planes (:func:`scaled_yuv420`, half the bytes of RGB) with their
    colour tags and turned into RGB when read, exactly as :func:`scaled_rgb` does; other frames
    (full range, 4:2:2/4:4:4, 10-bit, odd sizes, clips already small) are kept as reduced RGB.
    Iterating a complete store yields frames equal to those of ``iter_frames(path, size_px=size_px)``
    (fresh arrays: a reader may draw on them). The copies are dropped, and :attr:`complete` is
    False (decode again), when they pass ``budget_bytes``, when the first frame shows that
    ``expected_frames`` of its size would, or when keeping a frame fails (an optimisation must not
    stop the pass).
    """

    def __init__(self, size_px: tuple[int, int], budget_bytes: int, expected_frames: int | None = None) -> None:
        self.size_px = size_px
        self.budget_bytes = budget_bytes
        self.expected_frames = expected_frames
        self.n_bytes = 0
        self.overflowed = False
        self.finished = False
        self._frames: list[tuple[int, float, np.ndarray, tuple[int, int] | None, int]] = []

    @classmethod
    def for_clip(cls, info: VideoInfo, max_long_side_px: int, budget_bytes: int) -> ReducedFrames | None:
        """A store for ``info``'s clip reduced to ``max_long_side_px``, or None when its frames
        (as counted by :func:`probe`) would not fit in ``budget_bytes`` even as 4:2:0 planes."""
        width, height = reduced_size_px(info.width_px, info.height_px, max_long_side_px)
        if info.n_frames_estimate * width * height * 3 // 2 > budget_bytes:
            return None
        return cls((width, height), budget_bytes, info.n_frames_estimate)

    @property
    def complete(self) -> bool:
        """Every frame the pass decoded is kept (the pass ran to its end within the budget)."""
        return self.finished and not self.overflowed

    def __len__(self) -> int:
        return len(self._frames)

    def add(self, index: int, time_s: float, frame, quarter_turns: int,  # noqa: ANN001 - av.VideoFrame
            rgb: np.ndarray | None = None) -> None:  # fmt: skip
        """Keep ``frame`` (decoded, stored orientation; ``quarter_turns`` clockwise make it upright).
        ``rgb``: the frame already converted to RGB at full size (:func:`rgb24`), if the pass did."""
        if self.overflowed:
            return
        try:
            kept, tags = self._reduced(frame, self.size_px[::-1] if quarter_turns % 2 else self.size_px, rgb)
        except Exception as exc:  # noqa: BLE001 - keeping is an optimisation: any failure only costs the second decode (warned)
            self._drop(f"frame {index} could not be kept ({type(exc).__name__}: {exc})", logging.WARNING)
            return
        self.n_bytes += kept.nbytes
        if not self._frames and self.expected_frames and self.expected_frames * kept.nbytes > self.budget_bytes:
            self._drop(f"{self.expected_frames} frames of {kept.nbytes // 1024} kB exceed the budget")
        elif self.n_bytes > self.budget_bytes:
            self._drop("over the budget")
        else:
            self._frames.append((index, time_s, kept, tags, quarter_turns))

    def _reduced(self, frame, stored_px: tuple[int, int],  # noqa: ANN001 - av.VideoFrame
                 rgb: np.ndarray | None) -> tuple[np.ndarray, tuple[int, int] | None]:  # fmt: skip
        """The kept copy of ``frame`` at ``stored_px`` and its colour tags (None: the copy is RGB)."""
        import cv2

        if stored_px != (frame.width, frame.height):
            yuv = scaled_yuv420(frame, stored_px)
            if yuv is not None:
                return yuv, (frame.colorspace, frame.color_range)
        if rgb is None:
            return scaled_rgb(frame, stored_px), None
        if stored_px == (frame.width, frame.height):
            return rgb.copy(), None  # the pass's own array: not shared
        return cv2.resize(rgb, stored_px, interpolation=cv2.INTER_LINEAR), None  # as scaled_rgb does

    def _drop(self, why: str, level: int = logging.INFO) -> None:
        """Stop keeping frames. ``level``: a failure is a warning; a clip over the memory budget is
        the budget working as documented (``--frame-memory``), so only info."""
        self.overflowed = True
        self._frames.clear()
        logger.log(level, "reduced frames not kept (%s; budget %d MiB): the annotated video decodes the clip again",
                   why, self.budget_bytes // 2**20)  # fmt: skip

    def __iter__(self) -> Iterator[VideoFrame]:
        for index, time_s, kept, tags, quarter_turns in self._frames:
            rgb = kept.copy() if tags is None else yuv420_rgb(kept, *tags)
            if quarter_turns:
                rgb = np.ascontiguousarray(np.rot90(rgb, k=-quarter_turns))
            yield VideoFrame(index, time_s, rgb)


def _reason(exc: BaseException) -> str:
    """FFmpeg's reason in words, without its "[Errno N]" number or the file path."""
    reason = getattr(exc, "strerror", None) or str(exc)
    reason = re.sub(r"\[Errno -?\d+\]\s*", "", str(reason)).split(":")[0].strip()
    return reason or type(exc).__name__


#: Container signatures: (offset, bytes) -> what the file starts as.
SIGNATURES = {(4, b"ftyp"): "an MP4/MOV", (0, b"\x1a\x45\xdf\xa3"): "a Matroska/WebM", (8, b"AVI "): "an AVI"}


def _container_signature(path: Path) -> str | None:
    """The video container ``path`` starts as (its first bytes), or None."""
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except OSError:
        return None
    return next((kind for (offset, magic), kind in SIGNATURES.items() if head[offset : offset + len(magic)] == magic), None)


def _open(path: Path):  # noqa: ANN202 - PyAV container
    import av

    check_input_file(path)
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, UnicodeDecodeError, OSError) as exc:
        kind = _container_signature(path)
        if kind is not None:  # a video's header, but unreadable: most often a file cut off (copy, upload, recording)
            raise InputError(
                f"{path.name} starts as {kind} video but cannot be read: it is probably truncated (cut off)",
                expected="the whole file (an MP4's index is often at its end)",
                found=f"{_reason(exc)}; {path.stat().st_size:,} bytes",
                fix="copy or download the clip again and wait until the copy or the recording has finished",
            ) from None
        raise InputError(
            f"{path.name} is not a video file (cannot read it as a video)",
            expected="an mp4/mov/avi/mkv/webm video",
            found=_reason(exc),
            fix="check that the file plays in a video player, or re-export it as H.264 mp4",
        ) from None
    if not container.streams.video:
        found = "audio or data streams only" if container.streams else "no streams"  # read before closing empties it
        container.close()
        raise InputError(
            f"{path.name} has no video stream",
            expected="a file with a video track",
            found=found,
            fix="give the video file, not an audio export",
        )
    return container


def probe(path: str | Path) -> VideoInfo:
    """Read a clip's properties (decodes the first frame to learn its rotation)."""
    import av

    path = Path(path)
    container = _open(path)
    try:
        stream = container.streams.video[0]
        rotation = 0
        first = None
        try:
            first = next(container.decode(stream))
            rotation = _clockwise_rotation(first)
        except (StopIteration, av.error.FFmpegError, ValueError) as exc:  # no frame, or FFmpeg could not decode one
            raise InputError(
                f"{path.name} contains no decodable video frames",
                expected="at least one frame",
                found=type(exc).__name__ if not isinstance(exc, StopIteration) else "zero frames",
                fix="check that the file is complete (not truncated) and plays in a video player",
            ) from None
        width, height = first.width, first.height
        if rotation in (90, 270):
            width, height = height, width
        if width * height > MAX_PIXELS:
            raise InputError(
                f"{path.name} is too large to analyse ({width}x{height})",
                expected=f"at most {MAX_PIXELS:,} pixels per frame (8K)",
                found=f"{width * height:,} pixels",
                fix="downscale the clip to 1080p or 4K; pose accuracy does not improve beyond that",
            )
        fps = float(stream.average_rate or stream.base_rate or 0)
        if not fps:
            fps = FALLBACK_FPS
            logger.warning("%s states no frame rate: assuming %g fps (timestamps are used where present)",
                           path.name, FALLBACK_FPS)  # fmt: skip
        duration = float(stream.duration * stream.time_base) if stream.duration else (
            float(container.duration) / 1e6 if container.duration else 0.0)  # fmt: skip
        n_frames = int(stream.frames) if stream.frames else int(round(duration * fps))
        return VideoInfo(str(path), stream.codec_context.name, width, height, rotation, fps, n_frames, duration,
                         duration_from_video_track=bool(stream.duration))  # fmt: skip
    finally:
        container.close()


def scaled_rgb(frame, size_px: tuple[int, int]) -> np.ndarray:  # noqa: ANN001 - av.VideoFrame
    """``frame`` as RGB of ``size_px`` (width, height; bilinear). A limited-range 4:2:0 frame (what
    phones and cameras record) has its Y, U and V planes resized by OpenCV (:func:`scaled_yuv420`)
    and is converted to RGB at the small size by ffmpeg with the frame's own colour tags (BT.709 for
    most HD phone video, BT.601 otherwise), as a full-size conversion would: from 720 x 1280 to
    404 x 720 that costs about a quarter less CPU than converting at full size and resizing. Other
    pixel formats and odd sizes take that longer way."""
    import cv2

    width, height = size_px
    if (width, height) == (frame.width, frame.height):
        return rgb24(frame)
    yuv = scaled_yuv420(frame, size_px)
    if yuv is None:
        return cv2.resize(rgb24(frame), (width, height), interpolation=cv2.INTER_LINEAR)
    return yuv420_rgb(yuv, frame.colorspace, frame.color_range)


def scaled_yuv420(frame, size_px: tuple[int, int]) -> np.ndarray | None:  # noqa: ANN001 - av.VideoFrame
    """A limited-range 4:2:0 ``frame``'s Y, U and V planes resized (bilinear) to ``size_px``
    (width, height; even), stacked as one (height * 3 / 2, width) uint8 array (ffmpeg's yuv420p
    layout); None for other pixel formats and odd sizes."""
    import cv2

    width, height = size_px
    limited_420 = frame.format.name == "yuv420p" and getattr(frame, "color_range", 0) != 2  # 2: full (JPEG) range
    if not limited_420 or width % 2 or height % 2 or frame.width % 2 or frame.height % 2:
        return None
    planes = [np.frombuffer(plane, np.uint8).reshape(-1, plane.line_size)[:, :w]
              for plane, w in zip(frame.planes, (frame.width, frame.width // 2, frame.width // 2))]  # fmt: skip
    y = cv2.resize(planes[0][: frame.height], (width, height), interpolation=cv2.INTER_LINEAR)
    u, v = (cv2.resize(p[: frame.height // 2], (width // 2, height // 2), interpolation=cv2.INTER_LINEAR)
            for p in planes[1:])  # fmt: skip
    return np.concatenate([y.ravel(), u.ravel(), v.ravel()]).reshape(height * 3 // 2, width)


def yuv420_rgb(yuv: np.ndarray, colorspace: int, color_range: int) -> np.ndarray:
    """A stacked yuv420p array (:func:`scaled_yuv420`) as RGB, converted by ffmpeg with the given
    colour tags (those of the frame it came from)."""
    import av

    small = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
    small.colorspace, small.color_range = colorspace, color_range
    return rgb24(small)


def rgb24(frame) -> np.ndarray:  # noqa: ANN001 - av.VideoFrame
    """``frame`` as an RGB array, converted by ffmpeg with the frame's colour tags, one thread, with
    this thread's reused scaler (:func:`_reformatter`)."""
    return _reformatter().reformat(frame, format="rgb24", threads=1).to_ndarray()


_LOCAL = threading.local()


def _reformatter():  # noqa: ANN202 - av.video.reformatter.VideoReformatter
    """This thread's reusable swscale context holder. A frame's own ``to_ndarray`` builds a new
    scaler every frame, with worker threads (PyAV 18 defaults to automatic threading): in a Dask
    worker process that cost about 1.5 s per 12 s clip for the annotated video's frames alone."""
    if not hasattr(_LOCAL, "reformatter"):
        from av.video.reformatter import VideoReformatter

        _LOCAL.reformatter = VideoReformatter()
    return _LOCAL.reformatter


def _clockwise_rotation(frame) -> int:  # noqa: ANN001 - av.VideoFrame
    """Clockwise rotation (0/90/180/270) that displays the stored frame upright.

    PyAV's ``frame.rotation`` is the display-matrix angle (counter-clockwise, like ffmpeg's
    ``av_display_rotation_get``); ffmpeg's auto-rotation turns the picture by its negative.
    """
    angle = int(round(getattr(frame, "rotation", 0) or 0))
    return (-angle) % 360 // 90 * 90


@dataclass(frozen=True)
class _Window:
    """Which decoded frames a pass yields: clip times in ``[start_s, end_s]``, minus the first ``skip``."""

    start_s: float | None = None
    end_s: float | None = None
    skip: int = 0

    def before(self, t: float) -> bool:
        return self.start_s is not None and t < self.start_s - 1e-6

    def after(self, t: float) -> bool:
        return self.end_s is not None and t > self.end_s + 1e-6


class _Decoder:
    """Decodes one clip in a background thread into a bounded queue (see :func:`iter_frames`)."""

    _DONE = object()

    def __init__(self, path: Path, window: _Window, *, prefetch: int, max_frames: int | None,
                 size_px: tuple[int, int] | None, keep: ReducedFrames | None) -> None:  # fmt: skip
        self.path, self.window, self.max_frames, self.size_px, self.keep = path, window, max_frames, size_px, keep
        self.container = _open(path)
        self.stream = self.container.streams.video[0]
        self.stream.thread_type = "AUTO"
        self.rate = float(self.stream.average_rate or 0) or FALLBACK_FPS
        self.queue: queue.Queue = queue.Queue(maxsize=prefetch)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="runform-decode", daemon=True)

    def _timed(self) -> Iterator[tuple[int, float, object]]:
        """(index, seconds from the first frame, PyAV frame) of the window's frames, until stopped."""
        t0: float | None = None
        warned, skipped = False, 0
        for i, frame in enumerate(self.container.decode(self.stream)):
            if self.stop.is_set() or (self.max_frames is not None and i >= self.max_frames):
                return
            if frame.time is None and not warned:
                warned = True
                logger.warning("%s: frame %d has no timestamp; frames without one are timed at %g fps",
                               self.path.name, i, self.rate)  # fmt: skip
            t = float(frame.time) if frame.time is not None else i / self.rate
            t0 = t if t0 is None else t0
            if self.window.before(t - t0):
                continue
            if self.window.after(t - t0):
                return
            if skipped < self.window.skip:
                skipped += 1
                continue
            yield i, t - t0, frame
        if self.keep is not None:  # every frame decoded (no early stop)
            self.keep.finished = True

    def _upright(self, i: int, t: float, frame) -> np.ndarray:  # noqa: ANN001 - av.VideoFrame
        """The frame in RGB, scaled to ``size_px`` in its stored orientation, then turned upright."""
        k = _clockwise_rotation(frame) // 90
        size = self.size_px
        rgb = rgb24(frame) if size is None else scaled_rgb(frame, size[::-1] if k % 2 else size)
        if self.keep is not None:
            self.keep.add(i, t, frame, k, rgb if size is None else None)
        return np.ascontiguousarray(np.rot90(rgb, k=-k)) if k else rgb

    def _run(self) -> None:
        try:
            for i, t, frame in self._timed():
                self.queue.put(VideoFrame(i, t, self._upright(i, t, frame)))
        except Exception as exc:  # noqa: BLE001 - forwarded to the consumer thread
            self.queue.put(exc)
        finally:
            self.queue.put(self._DONE)

    def frames(self) -> Iterator[VideoFrame]:
        """The decoded frames; a decode error ends them (an :class:`InputError` before the first)."""
        n = 0
        while (item := self.queue.get()) is not self._DONE:
            if isinstance(item, Exception):
                if n == 0:
                    raise InputError(
                        f"Cannot decode {self.path.name}",
                        expected="a complete, playable video",
                        found=f"{type(item).__name__}: {item}",
                        fix="re-export the clip as H.264 mp4",
                    )
                logger.warning("%s: decoding stopped after %d frames (%s: %s); the file looks truncated, "
                               "the frames decoded so far are analysed", self.path.name, n, type(item).__name__, item)  # fmt: skip
                return  # truncated file: keep what was decoded
            n += 1
            yield item

    def close(self) -> None:
        self.stop.set()
        while self.thread.is_alive():
            try:
                self.queue.get_nowait()
            except queue.Empty:
                self.thread.join(timeout=0.05)
        self.container.close()


def iter_frames(path: str | Path, *, prefetch: int = 4, max_frames: int | None = None,
                start_s: float | None = None, end_s: float | None = None, skip: int = 0,
                size_px: tuple[int, int] | None = None, keep: ReducedFrames | None = None) -> Iterator[VideoFrame]:  # fmt: skip
    """Yield upright RGB frames with their real presentation timestamps (seconds from the first).

    ``size_px``: (width, height) of the upright frames yielded, scaled while converting to RGB
    (:func:`scaled_rgb`; for a reduced copy such as the annotated video's, much cheaper than
    converting at full size and resizing).

    ``start_s`` / ``end_s`` keep only frames whose timestamp lies in ``[start_s, end_s]`` (clip
    time: indices and timestamps stay those of the whole clip). ``skip`` drops the window's first
    frames after decoding them, without converting them to RGB (a worker starting mid-clip).
    ``keep``: every frame yielded is also kept there, reduced (:class:`ReducedFrames`; finished when
    the clip's frames are exhausted, not when the caller or ``max_frames`` stops early); whole
    clips only (ValueError with a window or ``skip``).

    Decoding happens in a background thread feeding a queue of at most ``prefetch`` frames.
    A decode error after some frames (a truncated file) ends the stream early; the caller is
    told through :class:`InputError` only if no frame at all could be decoded.
    """
    if keep is not None and (start_s is not None or end_s is not None or skip):
        raise ValueError("frames are kept for the whole clip only (no start_s, end_s or skip)")
    decoder = _Decoder(Path(path), _Window(start_s, end_s, skip), prefetch=prefetch, max_frames=max_frames,
                       size_px=size_px, keep=keep)  # fmt: skip
    decoder.thread.start()
    try:
        yield from decoder.frames()
    finally:
        decoder.close()
