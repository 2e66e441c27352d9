"""Files of a session under ``<data dir>/sessions/<storage_key>/``: ``clip<suffix>`` and the
pipeline's output folder ``out/``. Every name on disk is generated here; a client's file name is
only kept, neutralised, for display.

Uploads are checked three ways before a job is queued: the suffix (a video container runform
reads), the first bytes (the container's signature) and a decode of the first frame (PyAV).
"""

from __future__ import annotations

import logging
import re
import shutil
import unicodedata
import uuid
from pathlib import Path
from typing import BinaryIO

from runform.errors import InputError, RunformError
from runform.io import VIDEO_SUFFIXES, probe

__all__ = [
    "ANALYSIS_FILES",
    "DIAGNOSTIC_FILES",
    "DIAGNOSTIC_PAGE",
    "OUTPUT_FILES",
    "UploadRejected",
    "clip_path",
    "new_storage_key",
    "out_dir",
    "remove_session_files",
    "safe_display_name",
    "save_upload",
    "session_dir",
]

logger = logging.getLogger(__name__)

#: Output files a client may fetch, and their media types.
ANALYSIS_FILES = {
    "analysis.json": "application/json",
    "report.html": "text/html; charset=utf-8",
    "annotated.mp4": "video/mp4",
    "events.csv": "text/csv; charset=utf-8",
    "strides.csv": "text/csv; charset=utf-8",
    "keypoints.csv": "text/csv; charset=utf-8",
}
#: A refused clip's output folder: the diagnostic (runform.report.diagnostic: whom runform
#: followed, the quality table) and the key frames it shows (``keyframe-<k>.png``; the pipeline
#: writes four), fetched relative to the diagnostic's own URL.
DIAGNOSTIC_PAGE = "diagnostic.html"
DIAGNOSTIC_FILES = {DIAGNOSTIC_PAGE: "text/html; charset=utf-8"} | {f"keyframe-{k}.png": "image/png" for k in range(1, 5)}
#: Every file the output-file route serves, and its media type.
OUTPUT_FILES = ANALYSIS_FILES | DIAGNOSTIC_FILES
_CHUNK_BYTES = 1024 * 1024
_KEY = re.compile(r"[0-9a-f]{32}")


class UploadRejected(RunformError):
    """An upload that is not a readable video or too large (HTTP 413/415/422 with this message)."""

    exit_code = 2

    def __init__(self, problem: str, *, status_code: int = 422, **parts: str) -> None:
        super().__init__(problem, **parts)
        self.status_code = status_code


def new_storage_key() -> str:
    return uuid.uuid4().hex


def session_dir(sessions_root: Path, storage_key: str) -> Path:
    if not _KEY.fullmatch(storage_key):  # generated keys only: no separators, no dots
        raise ValueError(f"invalid storage key {storage_key!r}")
    return sessions_root / storage_key


def clip_path(sessions_root: Path, storage_key: str, suffix: str) -> Path:
    return session_dir(sessions_root, storage_key) / f"clip{suffix}"


def out_dir(sessions_root: Path, storage_key: str) -> Path:
    return session_dir(sessions_root, storage_key) / "out"


def safe_display_name(name: str | None) -> str:
    """The client's file name reduced to a harmless label: last path part, printable characters
    only, at most 100 characters (it is never used as a path)."""
    text = unicodedata.normalize("NFKC", name or "")
    text = re.split(r"[\\/]", text)[-1]
    text = "".join(ch for ch in text if ch.isprintable() and ch not in "<>\"'`")
    text = text.strip(" .") or "clip"
    return text[:100]


def _suffix(name: str) -> str:
    suffix = Path(safe_display_name(name)).suffix.lower()
    if suffix not in VIDEO_SUFFIXES:
        raise UploadRejected(
            "The file is not a video runform can read", status_code=415,
            expected="a video file: " + ", ".join(VIDEO_SUFFIXES), found=f"'{safe_display_name(name)}'",
            fix="upload the clip as exported by the phone or camera",
        )  # fmt: skip
    return suffix


def _looks_like_video(head: bytes) -> bool:
    """Container signatures: ISO-BMFF (mp4/mov/m4v: 'ftyp' at byte 4, or QuickTime atoms), Matroska
    and WebM (EBML), AVI (RIFF....AVI)."""
    if len(head) >= 12 and head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"):
        return True
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return True
    return head.startswith(b"RIFF") and head[8:12] == b"AVI "


def save_upload(stream: BinaryIO, filename: str | None, target_dir: Path, max_bytes: int) -> tuple[Path, int]:
    """Copy an uploaded clip to ``target_dir/clip<suffix>`` and check it is a readable video.
    Returns (path, size). Raises UploadRejected; on any failure ``target_dir`` is removed."""
    suffix = _suffix(filename or "")
    target_dir.mkdir(parents=True, exist_ok=False)
    path = target_dir / f"clip{suffix}"
    try:
        size = 0
        with path.open("wb") as out:
            while chunk := stream.read(_CHUNK_BYTES):
                size += len(chunk)
                if size > max_bytes:
                    raise UploadRejected(
                        "The file is too large", status_code=413, expected=f"at most {max_bytes // (1024 * 1024)} MB",
                        found=f"more than {max_bytes // (1024 * 1024)} MB", fix="trim the clip to the running part",
                    )  # fmt: skip
                out.write(chunk)
        if size == 0:
            raise UploadRejected("The file is empty", expected="a video file", found="0 bytes", fix="upload the clip again")
        with path.open("rb") as handle:
            head = handle.read(16)
        if not _looks_like_video(head):
            raise UploadRejected("The file is not a video", status_code=415, expected="an mp4, mov, avi, mkv or webm clip",
                                 found="its content is not a video container", fix="upload the original clip")  # fmt: skip
        try:
            probe(path)
        except InputError as exc:
            raise UploadRejected("The video cannot be decoded", found=exc.found or exc.problem, fix=exc.fix or "export it again") from None
        return path, size
    except BaseException:
        shutil.rmtree(target_dir, ignore_errors=True)
        raise


def remove_session_files(sessions_root: Path, storage_key: str) -> None:
    folder = session_dir(sessions_root, storage_key)
    if folder.resolve().parent != sessions_root.resolve():
        raise ValueError(f"refusing to remove {folder}: not a session folder")
    shutil.rmtree(folder, ignore_errors=True)
    logger.info("removed the files of session %s", storage_key)
