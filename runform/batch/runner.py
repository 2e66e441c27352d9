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

import errno
import hashlib
import logging
import os
import shutil
import socket
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from runform.batch.executor import check_workers, default_workers, make_executor, scheduler_address
from runform.batch.inputs import BatchItem, folder_name, source_stamp
from runform.batch.job import analyse_one, empty_row
from runform.batch.summary import INDEX_FILE, SUMMARY_FILE, read_summary, write_summary
from runform.errors import Cancelled, OutputError

try:  # POSIX; elsewhere (Windows) the lock falls back to an exclusively created marker file
    import fcntl
except ImportError:  # pragma: no cover - not on the platforms runform is tested on
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

#: Called after every finished clip with (finished so far, total, that clip's row).
BatchProgress = Callable[[int, int, dict[str, Any]], None]
#: Called once a batch has decided, under its lock: (the items with their folder names, clips to run).
BatchStarted = Callable[[list[BatchItem], int], None]
#: Held by the batch writing to an output folder (``<pid>@<host>``; :func:`batch_lock`).
LOCK_FILE = ".runform-batch.lock"
#: Tries to take the lock when its holders keep removing it as this batch opens it.
LOCK_ATTEMPTS = 10


class BatchInterrupted(Cancelled):
    """The batch was interrupted (Ctrl-C); the message says what was finished and recorded."""


def earlier_rows(out_dir: Path) -> list[dict[str, Any]]:
    """The rows of the ``summary.csv`` an earlier run left in ``out_dir`` (none without one; an
    :class:`~runform.errors.OutputError` for one that cannot be read, see :func:`read_summary`)."""
    return read_summary(out_dir).to_dict("records")


def _has_results(out_dir: Path, name: str) -> bool:
    """The clip's output folder holds its results (``analysis.json``), seen from this machine."""
    return (out_dir / name / "analysis.json").is_file()


def _outcome_stands(status: object, out_dir: Path, name: str) -> bool:
    """A recorded outcome still holds: refused, or done with its results still there."""
    return status == "refused" or (status == "done" and _has_results(out_dir, name))


def claim_names(items: list[BatchItem], out_dir: Path, earlier: list[dict[str, Any]] | None = None) -> list[BatchItem]:
    """The items with the output folder names they hold in ``out_dir``: a clip an earlier run
    analysed keeps its folder, whatever the order of this input; a name an earlier run gave to
    another file (two phones' ``IMG_0001``) becomes ``<name>_<hash of the path>``, so no folder
    ever gets a second clip's results. ``earlier``: :func:`earlier_rows` (read here if not given)."""
    owner = {str(r["name"]): str(r.get("path")) for r in (earlier_rows(out_dir) if earlier is None else earlier)}
    # a name only as runform makes them (an edited summary's "../x" is no folder of this batch)
    folder_of = {path: name for name, path in owner.items() if name == folder_name(name)}
    used: set[str] = set()
    out = []
    for item in items:
        name = folder_of.get(item.source)
        if name is None or name.lower() in used:
            name = item.name
            if owner.get(name, item.source) != item.source or name.lower() in used:
                name = f"{item.name}_{hashlib.sha1(item.source.encode()).hexdigest()[:6]}"
                while name.lower() in used or name in owner:
                    name += "_"
        used.add(name.lower())
        out.append(item if name == item.name else replace(item, name=name))
    return out


def other_clips(items: list[BatchItem], out_dir: Path, earlier: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Rows of an earlier run into ``out_dir`` for clips not in ``items`` (another manifest, rows
    since removed) whose outcome still stands: kept in the summary after this run's rows."""
    names = {item.name for item in items}
    rows = earlier_rows(out_dir) if earlier is None else earlier
    return [r for r in rows if str(r["name"]) not in names and _outcome_stands(r.get("status"), out_dir, str(r["name"]))]


def pending_items(items: list[BatchItem], out_dir: Path,
                  earlier: list[dict[str, Any]] | None = None) -> tuple[list[BatchItem], dict[str, dict[str, Any]]]:  # fmt: skip
    """(items to run, rows kept from the earlier run keyed by item name).

    A row without a ``source_stamp`` (written before runform recorded it) counts as the same file:
    resuming such a batch does not redo its finished clips; the kept row takes the file's current
    stamp, so that a later change of the file is seen. ``earlier``: :func:`earlier_rows`."""
    kept: dict[str, dict[str, Any]] = {}
    by_name = {str(r["name"]): r for r in (earlier_rows(out_dir) if earlier is None else earlier)}
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
    return same and _outcome_stands(row.get("status"), out_dir, item.name)


@dataclass(frozen=True)
class _Plan:
    """What a batch does, decided under its lock: the items with the folder names they hold, those
    to run, the rows kept from the earlier run (by name) and the earlier rows of other clips."""

    items: list[BatchItem]
    todo: list[BatchItem]
    kept: dict[str, dict[str, Any]]
    others: list[dict[str, Any]]


def _plan(items: list[BatchItem], out_dir: Path) -> _Plan:
    earlier = earlier_rows(out_dir)  # read once, under the lock
    items = claim_names(items, out_dir, earlier)
    todo, kept = pending_items(items, out_dir, earlier)
    return _Plan(items, todo, kept, other_clips(items, out_dir, earlier))


def run_batch(items: list[BatchItem], out_dir: str | Path, executor: Executor,
              progress: BatchProgress | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """Analyse ``items`` into ``out_dir/<item.name>/`` on ``executor``; returns the rows in input order.
    One batch at a time writes to ``out_dir`` (:func:`batch_lock`)."""
    out_dir = Path(out_dir).resolve()
    _prepare(out_dir)
    with batch_lock(out_dir):
        return _run_locked(_plan(items, out_dir), out_dir, executor, progress)


def run_from_inputs(items: list[BatchItem], out_dir: str | Path, workers: int | None = None, scheduler: str | None = None,
                    progress: BatchProgress | None = None, started: BatchStarted | None = None,
                    stopping: Callable[[], None] | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """``runform batch``: :func:`run_batch` on a Dask executor of its own (:func:`make_executor`),
    started only when a clip is left to run, with no more local workers than clips to run.

    Everything is decided under the folder's lock, once: which clips keep which folder, which are
    left to run, the executor. ``started(items, n_to_run)``: called then (the items with the folder
    names they hold, for :func:`interrupted`); ``progress``: after every clip; ``stopping``: on
    Ctrl-C, before the executor is shut down (``KeyboardInterrupt`` then goes on to the caller)."""
    check_workers(workers)
    out_dir = Path(out_dir).resolve()
    _prepare(out_dir)
    with batch_lock(out_dir):
        plan = _plan(items, out_dir)
        if started is not None:
            started(plan.items, len(plan.todo))
        if not plan.todo:
            return _run_locked(plan, out_dir, None, progress)
        if scheduler_address(scheduler) is None:
            workers = min(workers or default_workers(), len(plan.todo))  # no idle worker processes for a short batch
        with make_executor(workers, scheduler) as executor:
            try:
                return _run_locked(plan, out_dir, executor, progress)
            except KeyboardInterrupt:
                if stopping is not None:
                    stopping()
                logging.getLogger("distributed").setLevel(logging.ERROR)  # its shutdown warnings are expected now
                raise


def _run_locked(plan: _Plan, out_dir: Path, executor: Executor | None, progress: BatchProgress | None) -> list[dict[str, Any]]:
    items, todo, rows, others = plan.items, plan.todo, dict(plan.kept), plan.others
    if todo and executor is None:
        raise ValueError("clips left to run but no executor")  # a caller's bug: run_from_inputs starts one
    remove_partial_outputs(out_dir, todo)
    if rows:
        logger.info("%d of %d clips already finished in %s: skipped", len(rows), len(items), out_dir)
    stamps = {item.name: source_stamp(item.source) or None for item in todo}  # before the job reads the file
    futures: dict[Future, BatchItem] = {} if executor is None else {
        executor.submit(analyse_one, item.source, str(out_dir / item.name), item.options): item for item in todo
    }  # fmt: skip
    total, done = len(items), len(rows)
    try:
        for future in as_completed(futures):
            item = futures[future]
            row = _visible(_with_origin(_result(future, item), item), item, out_dir)
            row = {**row, "name": item.name, "athlete": item.options.get("runner_name"), "options_key": item.options_key,
                   "source_stamp": stamps[item.name]}  # fmt: skip
            rows[item.name] = row
            done += 1
            write_summary([rows[i.name] for i in items if i.name in rows] + others, out_dir)
            if progress is not None:
                progress(done, total, row)
    except KeyboardInterrupt:
        for future in futures:  # the queued jobs never start; the caller shuts the executor down
            future.cancel()
        raise
    ordered = [rows[i.name] for i in items]
    write_summary(ordered + others, out_dir)
    return ordered


def _visible(row: dict[str, Any], item: BatchItem, out_dir: Path) -> dict[str, Any]:
    """A worker's row checked from here: results this machine cannot see, or an input the worker
    could not see but this machine can, mean the cluster does not share the paths (docs/SCALING.md)."""
    shared = "the batch's inputs and -o folder must be on a path every worker shares with this machine (docs/SCALING.md)"
    if row.get("status") == "done" and not _has_results(out_dir, item.name):
        return {**row, "status": "failed", "out_dir": "", "reason": f"the worker wrote its results where this machine cannot "
                f"see them ({row.get('out_dir')}): {shared}"}  # fmt: skip
    if row.get("status") == "failed" and "not found" in str(row.get("reason")) and Path(item.source).is_file():
        return {**row, "reason": f"{row['reason']} (this machine has the file, the worker does not: {shared})"}
    return row


@contextmanager
def batch_lock(out_dir: Path) -> Iterator[None]:
    """Hold ``out_dir/.runform-batch.lock`` while a batch writes there; a second batch into the same
    folder is refused (two would overwrite each other's summary).

    The lock is an ``flock`` on that file: the system drops it when its process ends, however it
    ends, so a batch that died never blocks the next one and no one has to judge whether a holder
    is stale. On a shared folder (NFS, SMB) Linux takes the lock on the file server, for batches on
    every machine. A filesystem that cannot lock files falls back, with a warning, to creating the
    file exclusively, which a batch that died leaves behind (the message says to remove it).
    The file holds the holder's ``<pid>@<host>``, for that message. Without ``flock`` (a filesystem
    that cannot lock, or no ``fcntl``) a marker ``<lock>.held`` is created exclusively instead and
    removed when the batch ends (one left by a batch that died: the message says to remove it)."""
    lock = out_dir / LOCK_FILE
    handle, marker = _take_lock(lock, out_dir)
    try:
        yield
    finally:  # removed while still held: a batch that opened it meanwhile sees it gone and opens it again
        try:
            (marker or lock).unlink(missing_ok=True)
        finally:
            handle.close()


def _take_lock(lock: Path, out_dir: Path) -> tuple[IO[str], Path | None]:
    """(the open lock file, held by ``flock``; None) or, without ``flock``, (the marker file, its path)."""
    me = f"{os.getpid()}@{socket.gethostname()}"
    if fcntl is None:
        return _create_exclusively(lock.with_name(lock.name + ".held"), out_dir, me)
    for _ in range(LOCK_ATTEMPTS):
        try:
            handle = open(lock, "a+", encoding="utf-8")  # noqa: SIM115 - held for the whole batch
        except OSError as exc:
            raise OutputError(f"Cannot create the batch lock in {out_dir}", expected="a writable output folder",
                              found=f"{lock.name}: {exc.strerror or exc}", fix="choose another folder with -o") from None  # fmt: skip
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):  # held (EACCES: some network filesystems)
                handle.seek(0)
                holder = handle.read().strip()
                handle.close()
                raise _busy(out_dir, lock, holder) from None
            handle.close()  # ENOLCK, EOPNOTSUPP...: this filesystem cannot lock files
            marker = lock.with_name(lock.name + ".held")
            logger.warning("cannot lock %s (%s): one batch at a time is kept by creating %s exclusively; "
                           "remove it if a batch dies", lock, exc.strerror or exc, marker.name)  # fmt: skip
            return _create_exclusively(marker, out_dir, me)
        try:  # still the file at that path? (its holder removes it just before letting go)
            same = os.path.samestat(os.fstat(handle.fileno()), os.stat(lock))
        except FileNotFoundError:
            same = False
        if same:
            handle.seek(0)
            handle.truncate()
            handle.write(me)
            handle.flush()
            return handle, None
        handle.close()
    else:
        raise OutputError(f"Cannot take the batch lock of {out_dir}", expected="one batch at a time per output folder",
                          found=f"{lock.name} replaced {LOCK_ATTEMPTS} times while this batch took it (other batches starting)",
                          fix="run the batches one after another, or give each its own -o folder")  # fmt: skip


def _create_exclusively(lock: Path, out_dir: Path, me: str) -> tuple[IO[str], Path]:
    """The lock without ``flock``: the marker ``lock`` created exclusively (a dead batch's marker
    stays: the message says to remove it)."""
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        holder = lock.read_text(encoding="utf-8", errors="replace").strip() if lock.exists() else ""
        raise _busy(out_dir, lock, holder, stale_possible=True) from None
    except OSError as exc:
        raise OutputError(f"Cannot create the batch lock in {out_dir}", expected="a writable output folder",
                          found=f"{lock.name}: {exc.strerror or exc}", fix="choose another folder with -o") from None  # fmt: skip
    handle = os.fdopen(fd, "w", encoding="utf-8")
    handle.write(me)
    handle.flush()
    return handle, lock


def _busy(out_dir: Path, lock: Path, holder: str, stale_possible: bool = False) -> OutputError:
    """A held lock. An ``flock`` is held only by a live batch (removing its file would let a second
    one in); an exclusively created marker may be a dead batch's."""
    fix = "wait for it to finish, or give another -o folder"
    if stale_possible:
        fix += f" (remove {lock} if no batch is running)"
    return OutputError(f"Another runform batch is writing to {out_dir}", expected="one batch at a time per output folder",
                       found=f"{lock.name} held by process {holder or 'unknown'}", fix=fix)  # fmt: skip


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


def interrupted(items: list[BatchItem], out_dir: str | Path, found: str = "Ctrl-C") -> BatchInterrupted:
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
    return BatchInterrupted(problem, found=found, fix="run the same command again to resume (finished clips are skipped)")


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


def _prepare(out_dir: Path) -> None:
    """Create ``out_dir``."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"Cannot create the batch output folder {out_dir}", expected="a writable folder",
                          found=exc.strerror or str(exc), fix="choose another folder with -o") from None  # fmt: skip
