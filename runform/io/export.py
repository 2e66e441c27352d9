"""Output folder: written whole into a temporary folder, then swapped in for the target.

``output_folder(out_dir)`` yields an empty temporary folder beside ``out_dir``; when the block
finishes without error the temporary folder *replaces* ``out_dir`` (an earlier run's folder is
removed, so none of its files survive beside the new results). A failed or interrupted run leaves
``out_dir`` as it was and no temporary folder behind. A file in the earlier folder that runform
did not write (a coach's notes, a comparison report saved there) is never deleted: the run is
refused before it starts, naming the file.

Output contract (README, "Output folder"): ``analysis.json`` (versioned), ``events.csv``
(``frame,time_s,side,event,confidence``), ``strides.csv`` (one row per stride and side) and
``keypoints.csv`` (cleaned, in the keypoint-CSV input format); the report layer adds
``report.html`` and ``annotated.mp4``.
"""

from __future__ import annotations

import errno
import logging
import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from runform.errors import OutputError
from runform.io.keypoints_csv import to_csv
from runform.io.serialise import analysis_to_json
from runform.model import EVENT_COLUMNS, Analysis

logger = logging.getLogger(__name__)

OUTPUT_FILES = ("analysis.json", "events.csv", "strides.csv", "keypoints.csv")
#: A folder holding this file was written by runform and may be replaced by a new run.
MARKER_FILE = "analysis.json"
#: ... as is a folder holding the refused-clip diagnostic (runform.report.diagnostic).
DIAGNOSTIC_MARKER_FILE = "diagnostic.html"
#: Every name runform writes into an output folder: the tables, the report layer's two files, and the
#: refused-clip diagnostic with its ``keyframe-<k>.png``.
WRITTEN_FILES = re.compile("|".join(re.escape(name) for name in (*OUTPUT_FILES, "report.html", "annotated.mp4", DIAGNOSTIC_MARKER_FILE))
                           + r"|keyframe-\d+\.png")
#: Files an operating system's file browser leaves in folders; replaced with the folder like runform's own.
OS_LITTER = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


def write_tables(analysis: Analysis, folder: Path, payload: str | None = None) -> None:
    """``analysis.json`` (``payload`` if already serialised) and the three CSVs into ``folder``."""
    payload = payload if payload is not None else analysis_to_json(analysis)
    (folder / "analysis.json").write_text(payload, encoding="utf-8")
    analysis.events[EVENT_COLUMNS].to_csv(folder / "events.csv", index=False, float_format="%.4f")
    analysis.strides.to_csv(folder / "strides.csv", index=False, float_format="%.4f")
    to_csv(analysis.keypoints, folder / "keypoints.csv")


def check_output_folder(out_dir: str | Path) -> None:
    """Raise :class:`OutputError` now if ``out_dir`` cannot become an output folder: it is a file,
    a non-empty folder that runform did not write (neither ``analysis.json`` nor ``diagnostic.html``),
    an earlier output folder that also holds files runform did not write (they would be deleted),
    or the folder that would hold it cannot be written (its nearest existing ancestor is a file, or
    a probe folder cannot be made in it). Nothing is left behind. :func:`output_folder` makes the
    same checks; a caller runs them before a long analysis so that a bad ``-o`` fails in a second,
    not after it."""
    out_dir = Path(out_dir)
    try:
        _check_output_folder(out_dir)
    except OSError as exc:  # e.g. a parent folder this user may not enter
        raise _output_error(out_dir, exc) from None


def _check_output_folder(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise _output_error(out_dir, OSError(errno.EEXIST, "a file of that name exists"))
    ours = (out_dir / MARKER_FILE).is_file() or (out_dir / DIAGNOSTIC_MARKER_FILE).is_file()
    if out_dir.is_dir() and any(out_dir.iterdir()) and not ours:
        raise OutputError(
            f"Cannot write the output folder {out_dir}",
            expected="a new or empty folder, or the output folder of an earlier run (with analysis.json)",
            found="a folder with other files",
            fix="choose another folder with -o; runform replaces an earlier output folder whole",
        )
    foreign = _foreign_files(out_dir) if ours else []
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise OutputError(
            f"Cannot write the output folder {out_dir}",
            expected="an earlier runform output folder holding only what runform wrote (it is replaced whole)",
            found=f"files runform did not write, which replacing the folder would delete: {shown}",
            fix="move them out of the folder, or choose another folder with -o",
        )
    ancestor = out_dir.resolve().parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise _output_error(out_dir, OSError(errno.ENOTDIR, f"{ancestor} is a file, not a folder"))
    probe = ancestor / f".runform-probe-{uuid.uuid4().hex[:10]}"
    probe.mkdir()  # what writing the output needs, asked of the file system itself
    probe.rmdir()


def _foreign_files(out_dir: Path) -> list[str]:
    """Names in an earlier output folder that runform did not write (sorted; folders end in '/')."""
    names = []
    for path in out_dir.iterdir():
        if path.name in OS_LITTER or (path.is_file() and WRITTEN_FILES.fullmatch(path.name)):
            continue
        names.append(path.name + ("/" if path.is_dir() else ""))
    return sorted(names)


@contextmanager
def output_folder(out_dir: str | Path) -> Iterator[Path]:
    """Yield a temporary folder that replaces ``out_dir`` whole on success (see module docstring).

    Raises :class:`OutputError` when :func:`check_output_folder` does."""
    out_dir = Path(out_dir)
    check_output_folder(out_dir)
    parent = out_dir.resolve().parent
    tmp = parent / f".{out_dir.name}.tmp-{uuid.uuid4().hex[:10]}"
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp.mkdir()
    except OSError as exc:
        raise _output_error(out_dir, exc) from None
    try:
        yield tmp
        _swap_in(tmp, out_dir)
    except OSError as exc:
        raise _output_error(out_dir, exc) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _swap_in(new: Path, out_dir: Path) -> None:
    """Replace ``out_dir`` (if any) by ``new``: two renames, the old folder removed last."""
    if not out_dir.exists():
        new.rename(out_dir)
        return
    old = new.with_name(new.name.replace(".tmp-", ".old-"))
    out_dir.rename(old)
    try:
        new.rename(out_dir)
    except OSError:
        old.rename(out_dir)
        raise
    logger.info("replaced the earlier output folder %s", out_dir)
    shutil.rmtree(old, ignore_errors=True)


def _output_error(out_dir: Path, exc: OSError) -> OutputError:
    reason = {errno.ENOSPC: "the disk is full", errno.EACCES: "permission denied", errno.EROFS: "read-only file system",
              errno.EPERM: "operation not permitted"}.get(exc.errno or 0, exc.strerror or str(exc))  # fmt: skip
    return OutputError(
        f"Cannot write the output folder {out_dir}",
        expected="a writable folder with free space",
        found=reason,
        fix="choose another folder with -o, or free some disk space; nothing was written",
    )


__all__ = ["MARKER_FILE", "OUTPUT_FILES", "check_output_folder", "output_folder", "write_tables"]
