"""Run a batch on an executor: skip what an earlier run finished, submit the rest, record every
row as it arrives (``summary.csv`` / ``index.html`` rewritten atomically), never stop on one clip.

Resumable: a clip is skipped when the earlier ``summary.csv`` records it as ``done`` (and its
``analysis.json`` is still there) or ``refused``, with the same options and the same file (size and
modification time, ``source_stamp``); ``failed`` clips, clips that were never reached and clips
whose options or file changed run again.

Interrupted (Ctrl-C): the queued jobs are cancelled and ``KeyboardInterrupt`` goes on to the
caller, which shuts the executor down and then calls :func:`interrupted` (the analyses in flight
leave no temporary folder; finished clips stay recorded, and a re-run resumes).
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections.abc import Callable
from concurrent.futures import Executor, Future, as_completed
from pathlib import Path
from typing import Any

from runform.batch.inputs import BatchItem, source_stamp
from runform.batch.job import analyse_one, empty_row
from runform.batch.summary import INDEX_FILE, SUMMARY_FILE, read_summary, write_summary
from runform.errors import Cancelled, OutputError

logger = logging.getLogger(__name__)

#: Called after every finished clip with (finished so far, total, that clip's row).
BatchProgress = Callable[[int, int, dict[str, Any]], None]
FINAL_STATUSES = ("done", "refused")


class BatchInterrupted(Cancelled):
    """The batch was interrupted (Ctrl-C); the message says what was finished and recorded."""


def pending_items(items: list[BatchItem], out_dir: Path) -> tuple[list[BatchItem], dict[str, dict[str, Any]]]:
    """(items to run, rows kept from the earlier run keyed by item name).

    A row without a ``source_stamp`` (written before runform recorded it) counts as the same file:
    resuming such a batch does not redo its finished clips; the kept row takes the file's current
    stamp, so that a later change of the file is seen."""
    earlier = read_summary(out_dir)
    kept: dict[str, dict[str, Any]] = {}
    by_name = {str(r["name"]): r for r in earlier.to_dict("records")} if "name" in earlier.columns else {}
    todo = []
    for item in items:
        row, stamp = by_name.get(item.name), source_stamp(item.source)
        if row is not None and _finished(row, item, out_dir, stamp):
            kept[item.name] = {**row, "source_stamp": row.get("source_stamp") or stamp or None}
        else:
            todo.append(item)
    return todo, kept


def _finished(row: dict[str, Any], item: BatchItem, out_dir: Path, stamp: str) -> bool:
    same = row.get("path") == item.source and str(row.get("options_key")) == item.options_key
    recorded = row.get("source_stamp")
    if recorded and stamp and str(recorded) != stamp:  # the file changed since its recorded run
        return False
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
    stamps = {item.name: source_stamp(item.source) or None for item in todo}  # before the job reads the file
    futures: dict[Future, BatchItem] = {
        executor.submit(analyse_one, item.source, str(out_dir / item.name), item.options): item for item in todo
    }
    total, done = len(items), len(rows)
    try:
        for future in as_completed(futures):
            item = futures[future]
            row = {**_with_origin(_result(future, item), item), "name": item.name, "athlete": item.options.get("runner_name"),
                   "options_key": item.options_key, "source_stamp": stamps[item.name]}  # fmt: skip
            rows[item.name] = row
            done += 1
            write_summary([rows[i.name] for i in items if i.name in rows], out_dir)
            if progress is not None:
                progress(done, total, row)
    except KeyboardInterrupt:
        for future in futures:  # the queued jobs never start; the caller shuts the executor down
            future.cancel()
        raise
    ordered = [rows[i.name] for i in items]
    write_summary(ordered, out_dir)
    return ordered


def _with_origin(row: dict[str, Any], item: BatchItem) -> dict[str, Any]:
    """A row refused for an option says which manifest line gave it (its cells are the options)."""
    if item.origin and str(row.get("reason") or "").startswith("OptionError"):
        return {**row, "reason": f"{item.origin}: {row['reason']}"}
    return row


def _result(future: Future, item: BatchItem) -> dict[str, Any]:
    """The job's row; a job that could not run at all (its workers kept dying) is a failed row."""
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - KilledWorker, CommClosedError...: record it, go on
        logger.warning("%s could not be analysed on the cluster: %s: %s", item.source, type(exc).__name__, exc)
        return empty_row(item.source, "failed", f"the job did not finish on the cluster ({type(exc).__name__}: {exc}); "
                         "run the batch again to retry")  # fmt: skip


def interrupted(items: list[BatchItem], out_dir: str | Path) -> BatchInterrupted:
    """After a Ctrl-C, once the executor is shut down: remove what the analyses in flight left
    (:func:`remove_partial_outputs`) and return the error saying how many clips are finished and
    recorded in ``summary.csv`` (those a re-run skips)."""
    shown, out_dir = Path(out_dir), Path(out_dir).resolve()
    remove_partial_outputs(out_dir, items)
    todo, _ = pending_items(items, out_dir)
    finished, total = len(items) - len(todo), len(items)
    if finished:
        problem = f"Batch interrupted: {finished} of {total} clips finished and recorded in {shown / SUMMARY_FILE}"
    else:
        problem = f"Batch interrupted before any of its {total} clips finished"
    return BatchInterrupted(problem, found="Ctrl-C", fix="run the same command again to resume (finished clips are skipped)")


def remove_partial_outputs(out_dir: Path, items: list[BatchItem]) -> None:
    """Remove the temporary folders of the items' analyses (``.<name>.tmp-*``, from
    :func:`runform.pipeline.run`'s atomic output folder) and of ``summary.csv`` / ``index.html``.

    Each folder is first renamed aside, then deleted: an analysis still running (a job on a remote
    worker that a cancel cannot stop) either finished its own swap first (the rename fails, nothing
    is touched) or fails to swap in (its job fails; the next run redoes the clip); its finished
    output folder is never deleted."""
    patterns = [f".{item.name}.tmp-*" for item in items] + [f".{SUMMARY_FILE}.tmp-*", f".{INDEX_FILE}.tmp-*"]
    for stale in {path for pattern in patterns for path in out_dir.glob(pattern)}:
        aside = stale.with_name(f"{stale.name}.removing-{uuid.uuid4().hex[:6]}")
        try:
            os.rename(stale, aside)
        except OSError:
            continue  # gone already
        if aside.is_dir():
            shutil.rmtree(aside, ignore_errors=True)
        else:
            aside.unlink(missing_ok=True)


def _prepare(out_dir: Path, todo: list[BatchItem]) -> None:
    """Create ``out_dir``; remove temporary folders that an interrupted earlier run left behind."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"Cannot create the batch output folder {out_dir}", expected="a writable folder",
                          found=exc.strerror or str(exc), fix="choose another folder with -o") from None  # fmt: skip
    remove_partial_outputs(out_dir, todo)
