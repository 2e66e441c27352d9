"""Run a batch on an executor: skip what an earlier run finished, submit the rest, record every
row as it arrives (``summary.csv`` / ``index.html`` rewritten atomically), never stop on one clip.

Resumable: a clip is skipped when the earlier ``summary.csv`` records it as ``done`` (and its
``analysis.json`` is still there) or ``refused``, with the same options; ``failed`` clips, clips
that were never reached and clips whose options changed run again.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from concurrent.futures import Executor, Future, as_completed
from pathlib import Path
from typing import Any

from runform.batch.inputs import BatchItem
from runform.batch.job import analyse_one, empty_row
from runform.batch.summary import read_summary, write_summary
from runform.errors import OutputError

logger = logging.getLogger(__name__)

#: Called after every finished clip with (finished so far, total, that clip's row).
BatchProgress = Callable[[int, int, dict[str, Any]], None]
FINAL_STATUSES = ("done", "refused")


def pending_items(items: list[BatchItem], out_dir: Path) -> tuple[list[BatchItem], dict[str, dict[str, Any]]]:
    """(items to run, rows kept from the earlier run keyed by item name)."""
    earlier = read_summary(out_dir)
    kept: dict[str, dict[str, Any]] = {}
    by_name = {str(r["name"]): r for r in earlier.to_dict("records")} if "name" in earlier.columns else {}
    todo = []
    for item in items:
        row = by_name.get(item.name)
        if row is not None and _finished(row, item, out_dir):
            kept[item.name] = row
        else:
            todo.append(item)
    return todo, kept


def _finished(row: dict[str, Any], item: BatchItem, out_dir: Path) -> bool:
    same = row.get("path") == item.source and str(row.get("options_key")) == item.options_key
    if not same or row.get("status") not in FINAL_STATUSES:
        return False
    return row["status"] == "refused" or (out_dir / item.name / "analysis.json").is_file()


def run_batch(items: list[BatchItem], out_dir: str | Path, executor: Executor,
              progress: BatchProgress | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """Analyse ``items`` into ``out_dir/<item.name>/`` on ``executor``; returns the rows in input order."""
    out_dir = Path(out_dir).resolve()
    todo, rows = pending_items(items, out_dir)
    _prepare(out_dir, todo)
    if rows:
        logger.info("%d of %d clips already finished in %s: skipped", len(rows), len(items), out_dir)
    futures: dict[Future, BatchItem] = {
        executor.submit(analyse_one, item.source, str(out_dir / item.name), item.options): item for item in todo
    }
    total, done = len(items), len(rows)
    for future in as_completed(futures):
        item = futures[future]
        row = {**_result(future, item), "name": item.name, "athlete": item.options.get("runner_name"),
               "options_key": item.options_key}  # fmt: skip
        rows[item.name] = row
        done += 1
        write_summary([rows[i.name] for i in items if i.name in rows], out_dir)
        if progress is not None:
            progress(done, total, row)
    ordered = [rows[i.name] for i in items]
    write_summary(ordered, out_dir)
    return ordered


def _result(future: Future, item: BatchItem) -> dict[str, Any]:
    """The job's row; a job that could not run at all (its workers kept dying) is a failed row."""
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - KilledWorker, CommClosedError...: record it, go on
        logger.warning("%s could not be analysed on the cluster: %s: %s", item.source, type(exc).__name__, exc)
        return empty_row(item.source, "failed", f"the job did not finish on the cluster ({type(exc).__name__}: {exc}); "
                         "run the batch again to retry")  # fmt: skip


def _prepare(out_dir: Path, todo: list[BatchItem]) -> None:
    """Create ``out_dir``; remove temporary folders that an interrupted earlier run left behind."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"Cannot create the batch output folder {out_dir}", expected="a writable folder",
                          found=exc.strerror or str(exc), fix="choose another folder with -o") from None  # fmt: skip
    for item in todo:
        for stale in out_dir.glob(f".{item.name}.tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)
