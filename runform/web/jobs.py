"""Background analyses. The database is the queue: a dispatcher thread claims ``queued`` sessions
(an atomic ``UPDATE ... WHERE status='queued'``, so no two dispatchers claim one job), hands them to the batch
executor and writes the outcome back. On start, sessions left ``running`` by a stopped server are
queued again (up to ``max_attempts`` runs), else marked ``failed`` with the reason: a job is never
lost and never stuck ``running``.

Executor contract (``runform.batch``): ``make_executor(workers=None, scheduler=None)`` is a context
manager yielding a ``concurrent.futures.Executor``; ``analyse_one(source, out_dir, options) -> dict``
runs ``pipeline.run`` into ``out_dir`` and returns ``{"status": "done"|"refused"|"failed", "reason",
...}`` without raising.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import CancelledError, Executor, Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from runform.batch import (  # the same executor and job as `runform batch`
    PROGRESS_FILE_OPTION,
    analyse_one,
    default_workers,
    make_executor,
    read_progress,
    scheduler_address,
)
from runform.errors import RunformError
from runform.io import probe
from runform.pose import n_pose_processes
from runform.web.db import Database
from runform.web.models import TrainingSession, utcnow
from runform.web.settings import WebSettings
from runform.web.storage import clip_path, out_dir, remove_session_files

__all__ = ["AnalyseFn", "JobRunner", "analyse_one", "make_executor", "pose_workers"]

logger = logging.getLogger(__name__)

AnalyseFn = Callable[[str, str, dict], dict]
#: How often the dispatcher looks for queued jobs when nobody wakes it.
POLL_INTERVAL_S = 1.0
#: How long to wait before opening the executor again after it broke and could not be reopened.
REOPEN_INTERVAL_S = 30.0

def _options(row: TrainingSession) -> dict[str, Any]:
    athlete = row.athlete
    return {"height_m": athlete.height_m, "event": athlete.event, "treadmill_speed_mps": row.treadmill_speed_mps,
            "runner_name": athlete.name, "clip_name": row.original_name}  # fmt: skip


def progress_path(job_out_dir: str | Path) -> Path:
    """Where a job keeps its progress: beside its output folder (which is replaced whole at the end)."""
    out = Path(job_out_dir)
    return out.with_name(out.name + ".progress.json")


def pose_workers(source: str, settings: WebSettings) -> int | None:
    """Pose processes for one job. A Dask worker is a daemonic process, so the pose backend keeps
    one process there by itself; but the web app's local cluster has fewer workers than cores (one
    by default), so a job may run its pose in two processes as `runform analyze` does on a clip of
    ``PARALLEL_MIN_S`` or more (about 1.3x faster, the same results as the command line). None
    (the backend decides) with the thread executor or an existing cluster, whose cores are unknown
    here, or a clip that cannot be read (the job reports that itself)."""
    if settings.executor != "process" or scheduler_address() is not None:
        return None
    try:
        duration_s = probe(Path(source)).duration_s
    except RunformError:
        return None
    return n_pose_processes(duration_s, default_workers() // max(1, settings.workers))


class _ExecutorBroke(Exception):
    """The executor refused a job after taking others: it, not the job, is at fault."""


class JobRunner:
    """Runs queued sessions on the executor; one instance per server process."""

    def __init__(self, db: Database, settings: WebSettings, analyse: AnalyseFn | None = None) -> None:
        self.db = db
        self.settings = settings
        self.analyse = analyse or analyse_one
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._inflight: dict[int, Future] = {}
        self._progress_files: dict[int, Path] = {}
        self._keys: dict[int, str] = {}  # each job's storage key, to clean up after a session deleted while it ran
        self._claims: dict[int, int] = {}  # each job's attempt number, set by its claim: the claim's token
        self._started: set[int] = set()  # jobs whose progress was seen (they ran on a worker)
        self._unstarted_at_stop: list[tuple[int, int]] = []  # (id, attempt) cancelled by the stop before they ran
        self._stack = ExitStack()  # holds the executor
        self._executor_lock = threading.Lock()  # the executor's open, close and swap (never with self._lock)
        self._thread: threading.Thread | None = None
        self._executor: Executor | None = None
        self._refused: set[int] = set()  # jobs one executor refused already: a second refusal fails them
        self._reopen_at: float | None = None  # the executor broke: when to try opening another
        self._last_reopen = -float("inf")

    # lifecycle ---------------------------------------------------------------------------------
    def start(self) -> None:
        self.recover()
        self._open_executor()
        self._thread = threading.Thread(target=self._loop, name="runform-dispatcher", daemon=True)
        self._thread.start()

    def _open_executor(self) -> None:
        """The batch executor (a local cluster, or a client of ``RUNFORM_DASK_SCHEDULER``'s), or a
        thread pool for tests with a stub analyser; its close is on ``self._stack``."""
        if self.settings.executor == "thread":  # a stop cancels what has not begun
            pool = ThreadPoolExecutor(max_workers=self.settings.workers, thread_name_prefix="runform-job")
            self._stack.callback(pool.shutdown, wait=True, cancel_futures=True)
            self._executor = pool
        else:
            factory: AbstractContextManager[Executor] = make_executor(workers=self.settings.workers, need_workers=False)
            self._executor = self._stack.enter_context(factory)  # jobs queue until workers come
        self._reopen_at = None

    def _reopen_executor(self) -> None:
        """The executor refused a job (a client that lost its remote scheduler for good): close it,
        give its jobs in flight back (one never seen started: queued, not counted; one started:
        retried, counted) and open another, now or at a later poll (a failed open, or a reopen
        within :data:`REOPEN_INTERVAL_S` of the last). Serialised with :meth:`stop`'s close by
        ``_executor_lock``: a stop waits for a reopen and closes what it opened."""
        now = time.monotonic()
        self._reopen_at = now + REOPEN_INTERVAL_S  # so the queue never freezes, whatever fails below
        with self._executor_lock:
            self._executor = None
            old, self._stack = self._stack, ExitStack()
            try:
                old.close()  # a Dask client's close reports nothing for its futures: handled below
            except Exception:  # noqa: BLE001 - a broken client may fail to close cleanly
                logger.exception("job dispatcher: closing the broken executor failed")
            self._give_back_inflight()
            if self._stop.is_set() or now - self._last_reopen < REOPEN_INTERVAL_S:
                if not self._stop.is_set():
                    logger.error("job dispatcher: the executor broke again within %g s; trying again then",
                                 REOPEN_INTERVAL_S)  # fmt: skip
                return
            self._last_reopen = now
            try:
                self._open_executor()
            except Exception as exc:  # noqa: BLE001 - e.g. OptionError: the scheduler is unreachable
                logger.error("job dispatcher: cannot open the executor (%s); jobs stay queued, trying again in %g s",
                             exc, REOPEN_INTERVAL_S)  # fmt: skip
                return
        logger.warning("job dispatcher: the executor was reopened")

    def _give_back_inflight(self) -> None:
        """Jobs tracked as in flight on an executor being given up (its callbacks will be ignored)."""
        with self._lock:
            lost = [(sid, *self._forget(sid)) for sid in list(self._inflight)]
        for sid, attempt, key, started in lost:
            if started or attempt is None:
                self._retry(sid, key, "the executor broke during the analysis")
            else:
                self._release(sid, attempt, "the executor broke before it started")

    def stop(self) -> None:
        """Stop dispatching and close the executor. A job the close cancels before it ran on a
        worker goes back to the queue without counting the attempt; a job that had started stays
        ``running`` in the database, as does any job of a killed server, and :meth:`recover` queues it
        again at the next start counting the attempt (so a clip that keeps ending the server, by a
        kill or a stop, fails after ``max_attempts``)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            if self._thread.is_alive():
                logger.warning("job dispatcher: still busy 10 s after the stop; it ends at its next poll")
        with self._executor_lock:  # after a reopen under way, closing what it opened
            self._stack.close()  # cancels what is in flight; the callbacks only note what never started
            self._executor = None
        with self._lock:
            unstarted, self._unstarted_at_stop = self._unstarted_at_stop, []
            # a job whose callback never came (a remote client's loop stopped first), not seen started
            unstarted += [(sid, attempt) for sid, attempt in self._claims.items() if not self._has_started(sid)]
        for session_id, attempt in unstarted:  # here, not on the executor's thread inside its close
            self._release(session_id, attempt, "cancelled by the server's stop before it started")

    @property
    def running(self) -> bool:
        """The dispatcher thread is alive (between :meth:`start` and the end of :meth:`stop`)."""
        return self._thread is not None and self._thread.is_alive()

    def wake(self) -> None:
        """A job was queued: look now rather than at the next poll."""
        self._wake.set()

    def recover(self) -> None:
        """Sessions left ``running`` by a stopped server: queue again, or fail after ``max_attempts``."""
        with self.db.session() as db:
            for row in db.scalars(select(TrainingSession).where(TrainingSession.status == "running")):
                self._retry_or_fail(row, "the server stopped during the analysis")

    def _retry_or_fail(self, row: TrainingSession, why: str) -> None:
        """An attempt ended without a result (counted): queued again, or failed after ``max_attempts``."""
        if row.attempts >= self.settings.max_attempts:
            row.status, row.progress, row.finished_at = "failed", 1.0, utcnow()
            row.error = (f"{why[0].upper()}{why[1:]} {row.attempts} times; upload the clip again or run "
                         "`runform analyze` on it to see the error")  # fmt: skip
            logger.warning("session %s failed: %s (%s attempts)", row.id, why, row.attempts)
        else:
            row.status, row.progress, row.started_at = "queued", 0.0, None
            logger.warning("session %s: %s; queued again", row.id, why)

    # dispatching -------------------------------------------------------------------------------
    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self._dispatch()
                self._report_progress()
            except Exception:  # noqa: BLE001 - e.g. the database is briefly unreachable: retry at the next poll
                if self._stop.is_set():  # stopping: the database may already be gone
                    break
                logger.exception("job dispatcher: cannot read the queue; retrying")
            self._wake.wait(POLL_INTERVAL_S)
            self._wake.clear()

    def _dispatch(self) -> None:
        with self._lock:
            free = self.settings.workers - len(self._inflight)
        if free <= 0:
            return
        with self.db.session() as db:
            ids = list(db.scalars(select(TrainingSession.id).where(TrainingSession.status == "queued")
                                  .order_by(TrainingSession.id).limit(free)))  # fmt: skip
        for session_id in ids:
            if self._stop.is_set():  # stopping: leave the rest queued for the next start
                return
            if self._executor is None:  # not started, or broken: nothing to run it on, so nothing is claimed
                if self._reopen_at is not None and time.monotonic() >= self._reopen_at:
                    self._reopen_executor()
                if self._executor is None:
                    return
            job = self._claim(session_id)
            if job is None:
                continue
            source, target, options, attempt = job
            try:  # the row is claimed (running): whatever fails now is recorded, never left running
                options, progress_file = self._job_options(source, target, options)
                future = self._submit(session_id, source, target, options)
            except _ExecutorBroke as broke:  # the first refusal of this job: the executor is suspect
                self._refused.add(session_id)
                self._release(session_id, attempt, f"not started: the executor refused it ({broke}); reopening it")
                self._reopen_executor()
                return
            except Exception as exc:  # noqa: BLE001 - e.g. the clip's folder unreadable, a new cluster refusing
                if self._stop.is_set():  # the server's stop closed the executor between claim and submit
                    self._release(session_id, attempt, "not started because the server is stopping")
                    continue
                logger.error("session %s could not be started: %s", session_id, exc)
                self._record(session_id, {"status": "failed", "reason": f"the analysis could not be started "
                                          f"({type(exc).__name__}: {exc}); upload the clip again"})  # fmt: skip
                continue
            with self._lock:
                self._inflight[session_id] = future
                self._progress_files[session_id] = progress_file
                self._keys[session_id] = Path(target).parent.name
                self._claims[session_id] = attempt
                self._started.discard(session_id)
            future.add_done_callback(lambda f, sid=session_id: self._finished(sid, f))

    def _job_options(self, source: str, target: str, options: dict) -> tuple[dict, Path]:
        """The job's options with its pose processes and progress file; and that file."""
        workers = pose_workers(source, self.settings)
        if workers is not None:
            options = {**options, "pose_workers": workers}
        progress_file = progress_path(target)
        return {**options, PROGRESS_FILE_OPTION: str(progress_file)}, progress_file

    def _submit(self, session_id: int, source: str, target: str, options: dict) -> Future:
        """Hand the job to the executor. A first refusal of a job (not because of the stop) is put
        down to the executor (:class:`_ExecutorBroke`: e.g. a client that lost its scheduler for
        good, idle or not); the same job refused again, by the executor opened after that, to the job."""
        assert self._executor is not None
        try:
            future = self._executor.submit(self.analyse, source, target, options)
        except Exception as exc:
            if session_id in self._refused or self._stop.is_set():
                self._refused.discard(session_id)
                raise
            raise _ExecutorBroke(f"{type(exc).__name__}: {exc}") from exc
        self._refused.discard(session_id)
        return future

    def _claim(self, session_id: int) -> tuple[str, str, dict, int] | None:
        """Mark a queued session running (atomically: one claim wins); (clip, output folder,
        options, the attempt's number) or None if it was no longer queued."""
        with self.db.session() as db:
            claimed = db.execute(
                update(TrainingSession)
                .where(TrainingSession.id == session_id, TrainingSession.status == "queued")
                .values(status="running", progress=0.1, started_at=utcnow(), attempts=TrainingSession.attempts + 1)
            ).rowcount
            if claimed != 1:
                return None
            row = db.get(TrainingSession, session_id)
            assert row is not None
            root = self.settings.sessions_dir
            return (str(clip_path(root, row.storage_key, row.clip_suffix)), str(out_dir(root, row.storage_key)),
                    _options(row), row.attempts)  # fmt: skip

    def _release(self, session_id: int, attempt: int, why: str) -> bool:
        """Undo this server's claim of a job that never ran (``attempt``: the claim's number, so a
        row claimed since by another server is left alone): queued again, the attempt not counted.
        Never raises: if the database cannot be reached the row stays ``running`` and
        :meth:`recover` queues it again at the next start (counting the attempt)."""
        try:
            with self.db.session() as db:
                undone = db.execute(update(TrainingSession)
                                    .where(TrainingSession.id == session_id, TrainingSession.status == "running",
                                           TrainingSession.attempts == attempt)
                                    .values(status="queued", progress=0.0, started_at=None,
                                            attempts=TrainingSession.attempts - 1)).rowcount  # fmt: skip
        except Exception:  # noqa: BLE001 - e.g. the database is already closed
            logger.exception("session %s: %s, but it could not be queued again now; it is at the next start",
                             session_id, why)  # fmt: skip
            return False
        if undone:
            logger.warning("session %s: %s; queued again", session_id, why)
        return bool(undone)

    def _report_progress(self) -> None:
        """Copy each running job's progress file (written by the job on its worker) into its row:
        0.1 when claimed, up to 0.95 while the job runs, 1 when recorded."""
        with self._lock:
            files = dict(self._progress_files)
        fractions = {sid: f for sid, f in ((sid, read_progress(path)) for sid, path in files.items()) if f is not None}
        if not fractions:
            return
        with self._lock:  # only jobs still in flight (one may have ended since the files were read)
            self._started.update(sid for sid in fractions if sid in self._progress_files)
        with self.db.session() as db:
            for session_id, fraction in fractions.items():
                db.execute(update(TrainingSession)
                           .where(TrainingSession.id == session_id, TrainingSession.status == "running")
                           .values(progress=round(0.1 + 0.85 * fraction, 3)))  # fmt: skip

    def _finished(self, session_id: int, future: Future) -> None:
        with self._lock:  # forgotten here, however the job ended (cancelled by a stop too)
            if self._inflight.get(session_id) is not future:  # given up with a broken executor: retried already
                return
            attempt, key, started = self._forget(session_id)
        try:
            result = future.result()
        except (CancelledError, asyncio.CancelledError, Exception) as exc:  # noqa: BLE001 - e.g. a worker died
            cancelled = isinstance(exc, (CancelledError, asyncio.CancelledError))
            if self._stop.is_set() and (cancelled or self.settings.executor != "thread"):
                # the server's stop closed the cluster (a thread's own error is the job's, stop or not)
                self._ended_by_stop(session_id, attempt, started, type(exc).__name__)
                return
            if cancelled:  # the cluster cancelled it (its scheduler restarted, say), not a stop
                self._retry(session_id, key, "the analysis was cancelled on the Dask cluster")
                return
            logger.error("analysis job %s crashed: %s", session_id, exc)
            result = {"status": "failed", "reason": f"the analysis worker crashed ({type(exc).__name__}: {exc})"}
        try:
            self._record(session_id, result, key)
        except Exception:  # noqa: BLE001
            logger.exception("cannot record the result of session %s", session_id)
        self._wake.set()

    def _ended_by_stop(self, session_id: int, attempt: int | None, started: bool, how: str) -> None:
        """A job the server's stop ended. Not started on a worker: released by :meth:`stop` once the
        executor is closed (not here, on the executor's own thread inside its close). Started: it
        stays ``running`` and :meth:`recover` queues it again at the next start, counting the attempt."""
        if not started and attempt is not None:
            with self._lock:
                self._unstarted_at_stop.append((session_id, attempt))
            return
        logger.warning("session %s: analysis ended by the server's stop (%s); left running for the next start's "
                       "recover (queued again, or failed after %s attempts)", session_id, how,
                       self.settings.max_attempts)  # fmt: skip

    def _forget(self, session_id: int) -> tuple[int | None, str | None, bool]:
        """Stop tracking a job in flight, removing its progress file (a job that died leaves it
        behind); (its claim's attempt, its storage key, whether a worker had taken it up). Call
        with the lock held."""
        self._inflight.pop(session_id, None)
        progress_file = self._progress_files.pop(session_id, None)
        started = self._has_started(session_id, progress_file)
        self._started.discard(session_id)
        if progress_file is not None:
            with suppress(OSError):
                progress_file.unlink(missing_ok=True)
        return self._claims.pop(session_id, None), self._keys.pop(session_id, None), started

    def _has_started(self, session_id: int, progress_file: Path | None = None) -> bool:
        """A worker took the job up: its progress was seen, or its progress file exists (the job
        writes it first). Call with the lock held."""
        path = progress_file if progress_file is not None else self._progress_files.get(session_id)
        return session_id in self._started or (path is not None and path.exists())

    def _retry(self, session_id: int, key: str | None, why: str) -> None:
        """Counted like an interrupted run: queued again, or failed after ``max_attempts``; a
        session deleted meanwhile leaves no files."""
        try:
            with self.db.session() as db:
                row = db.get(TrainingSession, session_id)
                if row is None:
                    if key is not None:
                        remove_session_files(self.settings.sessions_dir, key)
                elif row.status == "running":
                    self._retry_or_fail(row, why)
        except Exception:  # noqa: BLE001 - the row stays running: recover() at the next start
            logger.exception("session %s: %s, and it could not be queued again now", session_id, why)
        self._wake.set()

    def _record(self, session_id: int, result: dict, key: str | None = None) -> None:
        """Write a job's outcome into its row; ``key``: the job's storage key, whose files are
        removed if the session was deleted while the job ran."""
        with self.db.session() as db:
            row = db.get(TrainingSession, session_id)
            if row is None:  # deleted while it ran: drop whatever the job wrote (a result, a diagnostic, a folder)
                if key is not None:
                    remove_session_files(self.settings.sessions_dir, key)
                return
            status = result.get("status")
            summary = _read_summary(out_dir(self.settings.sessions_dir, row.storage_key)) if status == "done" else None
            if status == "done" and summary is None:
                status, result = "failed", {"reason": "the analysis finished but wrote no analysis.json"}
            row.status = status if status in ("done", "refused", "failed") else "failed"
            row.error = None if row.status == "done" else (result.get("reason") or "unknown error")
            row.summary, row.progress, row.finished_at = summary, 1.0, utcnow()
            logger.info("session %s: %s", session_id, row.status)

    def wait_idle(self, timeout_s: float) -> bool:
        """Block until nothing is queued or running (tests and shutdown). True when idle."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self.db.session() as db:
                busy = db.scalar(select(TrainingSession.id).where(TrainingSession.status.in_(("queued", "running"))).limit(1))
            if busy is None:
                return True
            time.sleep(0.2)
        return False


def _read_summary(folder: Path) -> dict | None:
    try:
        payload = json.loads((folder / "analysis.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return {"summary": payload.get("summary", {}), "event": (payload.get("coaching") or {}).get("event"),
            "profile": (payload.get("coaching") or {}).get("profile"),
            "findings": [f.get("id") for f in (payload.get("coaching") or {}).get("findings", [])]}  # fmt: skip
