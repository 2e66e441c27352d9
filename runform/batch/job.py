"""One batch job: analyse one clip into its output folder and return its summary row.

:func:`analyse_one` is a picklable module-level function run on a Dask worker. It never raises for
a bad clip: a quality-gate refusal gives ``status="refused"``, any other failure
``status="failed"``, each with the reason.
"""

from __future__ import annotations

import glob
import json
import logging
import os
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from runform.errors import OptionError, QualityRefused, RunformError

logger = logging.getLogger(__name__)

#: Headline metrics copied into the summary row as ``<metric>`` and ``<metric>_uncertainty``.
HEADLINE_METRICS = (
    "cadence_steps_per_min", "contact_time_s", "duty_factor", "max_thigh_angle_deg", "hip_extension_at_toe_off_deg",
    "shank_angle_at_contact_deg", "stride_length_m", "vertical_oscillation_cm", "trunk_lean_deg",
)  # fmt: skip
#: Option naming a file in which :func:`analyse_one` keeps the job's progress (see
#: :class:`ProgressFile`), for a caller in another process (the web app's job list); not a Config field.
PROGRESS_FILE_OPTION = "progress_file"
#: Each stage's share of a job, for one overall fraction (measured on the 12 s clip: pose about 75 %
#: of the time, report and annotated video the rest, side by side).
STAGE_SPANS = {"pose": (0.0, 0.75), "report": (0.75, 0.85), "video": (0.85, 1.0)}
#: Memory of a job besides the frames it keeps for the annotated video (the analysis about 450 MiB,
#: the Dask worker process about 100 MiB; docs/SCALING.md), and the share of a worker's memory
#: limit a job may fill (Dask pauses a worker at 80 % of it and restarts it at 95 %).
JOB_BASE_MIB = 550.0
WORKER_MEMORY_SHARE = 0.7
#: Columns every summary row has, in this order (then the metric columns).
ROW_COLUMNS = ("path", "status", "reason", "out_dir", "verdict", "n_frames", "n_strides", "seconds")


def empty_row(source: str, status: str, reason: str = "", out_dir: str = "") -> dict[str, Any]:
    """A summary row with every column present (metrics empty)."""
    row: dict[str, Any] = dict.fromkeys(ROW_COLUMNS, None)
    row.update(path=str(source), status=status, reason=reason, out_dir=str(out_dir))
    for metric in HEADLINE_METRICS:
        row[metric] = row[f"{metric}_uncertainty"] = None
    return row


def analyse_one(source: str, out_dir: str, options: dict[str, Any]) -> dict[str, Any]:
    """Run :func:`runform.run` on ``source`` into ``out_dir`` with Config ``options``; return its row.

    Row: ``path``, ``status`` (done / refused / failed), ``reason``, ``out_dir`` (done; refused:
    the folder of its ``diagnostic.html``; else empty), ``verdict``, ``n_frames``, ``n_strides``, ``seconds`` and, per headline metric,
    ``<metric>`` and ``<metric>_uncertainty``. With ``options["progress_file"]``
    (:data:`PROGRESS_FILE_OPTION`) the job keeps its progress in that file while it runs
    (:class:`ProgressFile`, :func:`read_progress`) and removes it at the end; it is written
    (fraction 0) as the job's first act, so it says that a worker has taken the job up.
    """
    options = dict(options)
    progress_path = options.pop(PROGRESS_FILE_OPTION, None)
    progress = ProgressFile(Path(progress_path)) if progress_path else None
    if progress is not None:
        progress(0, 1, "pose")
    from runform.config import make_config
    from runform.pipeline import run

    options = fit_frame_memory(options)
    start = time.perf_counter()
    try:
        analysis = run(source, make_config(**config_options(options)), out_dir, progress=progress)
    except QualityRefused as err:  # its folder holds diagnostic.html: why, and whom runform followed
        row = empty_row(source, "refused", err.message, out_dir if (Path(out_dir) / "diagnostic.html").is_file() else "")
        row["verdict"] = "refuse"
    except RunformError as err:
        row = empty_row(source, "failed", f"{type(err).__name__}: {err.message}")
    except Exception as err:  # noqa: BLE001 - a batch records any failure of one clip and goes on
        logger.exception("analysis of %s failed", source)
        row = empty_row(source, "failed", f"unexpected {type(err).__name__}: {err}")
    else:
        row = empty_row(source, "done", "", out_dir)
        row.update(verdict=analysis.quality.verdict, n_frames=analysis.keypoints.n_frames, n_strides=len(analysis.strides))
        for metric in HEADLINE_METRICS:
            entry = analysis.summary.get(metric) or {}
            row[metric] = _number(entry.get("value"))
            row[f"{metric}_uncertainty"] = _number(entry.get("uncertainty"))
    finally:
        if progress is not None:
            progress.remove()
    row["seconds"] = round(time.perf_counter() - start, 2)
    return row


class ProgressFile:
    """A stage progress callback (``progress(done, total, stage)``, as :func:`runform.run` takes)
    that keeps ``path`` holding ``{"stage": ..., "fraction": ...}``: the whole job's fraction done
    (0-1, never decreasing; :data:`STAGE_SPANS`), written atomically (a reader never sees half a
    file) at most every ``min_interval_s`` within a stage.

    Thread-safe: the pipeline calls it from its own thread and from the annotated video's thread
    at once; each call updates and writes under one lock, through a temporary file of its own, so
    the file never goes back and never holds another call's half-written text. After
    :meth:`remove` it writes nothing more."""

    def __init__(self, path: Path, min_interval_s: float = 0.5) -> None:
        self.path, self.min_interval_s = path, min_interval_s
        self.fraction, self._stage, self._last = 0.0, "", -float("inf")
        self._lock = threading.Lock()
        self._removed = False

    def __call__(self, done: int, total: int, stage: str) -> None:
        low, high = STAGE_SPANS.get(stage, (0.0, 1.0))
        with self._lock:
            if self._removed:
                return
            self.fraction = max(self.fraction, low + (high - low) * min(1.0, done / total if total else 0.0))
            now = time.monotonic()
            if stage == self._stage and now - self._last < self.min_interval_s:
                return
            self._stage, self._last = stage, now
            staging = self.path.with_name(f"{self.path.name}.tmp-{uuid.uuid4().hex[:8]}")
            try:
                staging.write_text(json.dumps({"stage": stage, "fraction": round(self.fraction, 4)}), encoding="utf-8")
                os.replace(staging, self.path)
            except OSError as exc:  # progress is a courtesy: never fail the analysis for it
                logger.debug("cannot write progress to %s: %s", self.path, exc)
                staging.unlink(missing_ok=True)

    def remove(self) -> None:
        """Remove the file (and any temporary file of a write that failed); later calls write nothing."""
        with self._lock:
            self._removed = True
            for path in (self.path, *self.path.parent.glob(f"{glob.escape(self.path.name)}.tmp-*")):
                path.unlink(missing_ok=True)


def read_progress(path: Path) -> float | None:
    """The fraction a :class:`ProgressFile` holds, or None (not written yet, or gone)."""
    try:
        return float(json.loads(path.read_text(encoding="utf-8"))["fraction"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def fit_frame_memory(options: dict[str, Any], memory_limit_bytes: float | None = None) -> dict[str, Any]:
    """``options`` with ``frame_memory_mib`` lowered, if need be, so that the job stays within
    :data:`WORKER_MEMORY_SHARE` of the Dask worker's memory limit (``memory_limit_bytes``; by
    default the limit of the worker this runs on, if any): on a 1 GiB worker 167 MiB of kept
    frames (about 13 s of a 30 fps clip), on a 1.5 GiB worker the default 384 MiB."""
    limit = _worker_memory_limit() if memory_limit_bytes is None else memory_limit_bytes
    if not limit:
        return options
    from runform.config import Config

    given = options.get("frame_memory_mib")
    wanted = float(Config.model_fields["frame_memory_mib"].default if given in (None, "") else given)
    cap = max(0.0, round(WORKER_MEMORY_SHARE * limit / 2**20 - JOB_BASE_MIB, 1))
    if wanted <= cap:
        return options
    logger.info("frames kept for the annotated video limited to %.0f MiB (worker memory limit %.0f MiB)", cap, limit / 2**20)
    return {**options, "frame_memory_mib": cap}


def _worker_memory_limit() -> float | None:
    """The memory limit (bytes) of the Dask worker running this job, or None (not on a worker, no limit)."""
    try:
        from distributed import get_worker

        return float(get_worker().memory_manager.memory_limit or 0) or None
    except (ImportError, ValueError, AttributeError):
        return None


def check_options(options: dict[str, Any]) -> None:
    """Build the Config a job builds from ``options``: raises the :class:`~runform.errors.OptionError`
    that :func:`analyse_one` would record for every clip (``runform analyze``'s message for that value)."""
    from runform.config import make_config

    make_config(**config_options({k: v for k, v in options.items() if k != PROGRESS_FILE_OPTION}))


def config_options(options: dict[str, Any]) -> dict[str, Any]:
    """Batch options -> Config fields: ``fast`` (True / False) selects the fast pose model or not, as
    ``--fast`` does; any other value is an :class:`~runform.errors.OptionError`."""
    options = dict(options)
    fast = options.pop("fast", False)
    if not isinstance(fast, bool):
        raise OptionError(f"fast must be yes or no; got {fast!r}", expected="yes/no, true/false, y/n or 1/0", found=str(fast),
                          fix="write yes or no in the fast column (empty: the command line's --fast)")  # fmt: skip
    if fast:
        options["model_complexity"] = 0
    return options


def _number(value: object) -> float | None:
    try:
        return None if value is None else float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
