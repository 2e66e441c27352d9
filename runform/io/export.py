"""Write the output folder atomically: everything goes to a temporary folder beside the target
and is moved into place only when complete, so a failed or interrupted run leaves nothing
half-written.

Output contract (docs/OUTPUTS in README): ``analysis.json`` (versioned), ``events.csv``
(``frame,time_s,side,event,confidence``), ``strides.csv`` (one row per stride and side) and
``keypoints.csv`` (cleaned, in the keypoint-CSV input format).
"""

from __future__ import annotations

import errno
import json
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from runform.analysis import Analysis
from runform.errors import OutputError
from runform.events.base import EVENT_COLUMNS
from runform.io.keypoints_csv import to_csv

OUTPUT_FILES = ("analysis.json", "events.csv", "strides.csv", "keypoints.csv")


def write_outputs(analysis: Analysis, out_dir: str | Path, extra: Callable[[Analysis, Path], None] | None = None) -> Path:
    """Write all outputs into ``out_dir`` (created if needed); ``extra`` may add files (report)."""
    out_dir = Path(out_dir)
    payload = json.dumps(analysis.to_dict(), indent=2)  # computed before any file is touched
    parent = out_dir.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=parent))
    except OSError as exc:
        raise _output_error(out_dir, exc) from None
    try:
        (tmp / "analysis.json").write_text(payload, encoding="utf-8")
        analysis.events[EVENT_COLUMNS].to_csv(tmp / "events.csv", index=False, float_format="%.4f")
        analysis.strides.to_csv(tmp / "strides.csv", index=False, float_format="%.4f")
        to_csv(analysis.keypoints, tmp / "keypoints.csv")
        if extra is not None:
            extra(analysis, tmp)
        out_dir.mkdir(parents=True, exist_ok=True)
        for item in tmp.iterdir():
            target = out_dir / item.name
            if target.is_dir():
                shutil.rmtree(target)
            item.replace(target)
    except OSError as exc:
        raise _output_error(out_dir, exc) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out_dir


def _output_error(out_dir: Path, exc: OSError) -> OutputError:
    reason = {errno.ENOSPC: "the disk is full", errno.EACCES: "permission denied", errno.EROFS: "read-only file system",
              errno.EPERM: "operation not permitted"}.get(exc.errno or 0, exc.strerror or str(exc))  # fmt: skip
    return OutputError(
        f"Cannot write the output folder {out_dir}",
        expected="a writable folder with free space",
        found=reason,
        fix="choose another folder with -o, or free some disk space; nothing was written",
    )
