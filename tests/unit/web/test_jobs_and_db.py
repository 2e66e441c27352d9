"""Job state in the database survives a restart; migrations match the models; runform user add."""

from __future__ import annotations

import time
from concurrent.futures import Future
from datetime import date
from pathlib import Path

import pytest
from fixtures.web import ReplayAnalyser, database_url, make_athlete, make_settings, replay_folder  # noqa: F401 - fixtures
from typer.testing import CliRunner

from runform.web import Database, migrate
from runform.web.jobs import JobRunner
from runform.web.models import Athlete, Base, TrainingSession


def _row(db, athlete_id: int, status: str, attempts: int, key: str) -> TrainingSession:  # noqa: ANN001
    row = TrainingSession(athlete_id=athlete_id, storage_key=key, clip_suffix=".mp4", original_name="c.mp4", clip_bytes=1,
                          session_date=date(2025, 1, 1), status=status, attempts=attempts, progress=0.1, conditions="")  # fmt: skip
    db.add(row)
    return row


def _one_session(tmp_path, database_url: str, status: str, attempts: int, key: str):  # noqa: ANN001, ANN202
    """(settings, database, session id): a migrated database holding one coach, athlete and session."""
    settings = make_settings(tmp_path / "data", database_url)
    migrate(database_url)
    database = Database(database_url)
    with database.session() as db:
        row = _row(db, make_athlete(db).id, status, attempts, key)
        db.flush()
        sid = row.id
    return settings, database, sid


def test_restart_requeues_interrupted_jobs_and_fails_repeated_ones(tmp_path, database_url, replay_folder):
    settings = make_settings(tmp_path / "data", database_url, max_attempts=2)
    migrate(database_url)
    database = Database(database_url)
    with database.session() as db:
        athlete = make_athlete(db)
        once = _row(db, athlete.id, "running", 1, "a" * 32)
        twice = _row(db, athlete.id, "running", 2, "b" * 32)
        queued = _row(db, athlete.id, "queued", 0, "c" * 32)
        db.flush()
        ids = once.id, twice.id, queued.id
    for key in ("a", "b", "c"):
        (settings.sessions_dir / (key * 32)).mkdir(parents=True)
    analyser = ReplayAnalyser(replay_folder)
    _run_until_idle(database, settings, analyser)
    with database.session() as db:
        states = {i: (db.get(TrainingSession, i).status, db.get(TrainingSession, i).error) for i in ids}
    assert states[ids[0]] == ("done", None)
    assert states[ids[1]][0] == "failed" and "server stopped during the analysis 2 times" in states[ids[1]][1]
    assert states[ids[2]] == ("done", None)
    assert len(analyser.calls) == 2 and len(set(analyser.calls)) == 2  # each job ran exactly once
    database.dispose()


def test_a_crashing_worker_marks_the_job_failed(tmp_path, database_url):
    settings, database, sid = _one_session(tmp_path, database_url, "queued", 0, "d" * 32)

    def explode(source: str, out_dir: str, options: dict) -> dict:
        raise MemoryError("worker ran out of memory")

    _run_until_idle(database, settings, explode)
    with database.session() as db:
        row = db.get(TrainingSession, sid)
        assert row.status == "failed" and "MemoryError" in row.error and row.finished_at is not None
    database.dispose()


def test_a_job_that_cannot_be_started_is_failed_not_left_running(tmp_path, database_url):
    """The row is claimed (running) before the job is submitted; a submit that raised left it
    running, with no job behind it, until the next restart. A first refusal is put down to the
    executor (reopened); the same job refused by the new one too is failed with the error."""
    settings, database, sid = _one_session(tmp_path, database_url, "queued", 0, "f" * 32)

    class GoneCluster:
        def submit(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            raise RuntimeError("the scheduler is unreachable")

    runner = JobRunner(database, settings, lambda *a: {})
    opened = []
    runner._open_executor = lambda: opened.append(setattr(runner, "_executor", GoneCluster()))  # type: ignore[method-assign]
    runner._executor = GoneCluster()
    runner._dispatch()
    assert _state(database, sid) == ("queued", 0) and len(opened) == 1  # released, executor reopened
    runner._dispatch()
    with database.session() as db:
        row = db.get(TrainingSession, sid)
        assert row.status == "failed" and "could not be started (RuntimeError: the scheduler is unreachable)" in row.error
    database.dispose()


def test_a_job_claimed_while_the_server_stops_is_queued_again_not_failed(tmp_path, database_url):
    """The stop closes the executor; a job claimed just before its submit raised was recorded
    failed for good ("could not be started"); it goes back to the queue, its attempt not counted."""
    settings, database, sid = _one_session(tmp_path, database_url, "queued", 0, "9" * 32)
    runner = JobRunner(database, settings, lambda *a: {})
    submits = []

    class ClosingExecutor:
        def submit(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            submits.append(args)
            runner._stop.set()  # the server's stop arrives between the claim and the submit
            raise RuntimeError("cannot schedule new futures after shutdown")

    runner._executor = ClosingExecutor()
    runner._dispatch()
    with database.session() as db:
        row = db.get(TrainingSession, sid)
        assert (row.status, row.attempts, row.error, row.started_at) == ("queued", 0, None, None)
    runner._dispatch()  # stopped: the queued row is not claimed (nor submitted) again
    assert len(submits) == 1
    with database.session() as db:
        assert (db.get(TrainingSession, sid).status, db.get(TrainingSession, sid).attempts) == ("queued", 0)
    database.dispose()


class PendingExecutor:
    """Submits nothing anywhere: each job is a Future the test ends (as closing a cluster cancels it)."""

    def __init__(self) -> None:
        self.futures: list[Future] = []

    def submit(self, *args, **kwargs) -> Future:  # noqa: ANN002, ANN003
        self.futures.append(Future())
        return self.futures[-1]


def _state(database, sid: int) -> tuple[str, int]:  # noqa: ANN001
    with database.session() as db:
        row = db.get(TrainingSession, sid)
        return row.status, row.attempts


def _claimed(tmp_path, database_url: str, key: str, **options):  # noqa: ANN001, ANN202
    """(settings, database, session id, runner, executor): one session claimed and submitted."""
    settings, database, sid = _one_session(tmp_path, database_url, "queued", 0, key)
    if options:
        settings = settings.with_(**options)
    runner = JobRunner(database, settings, lambda *a: {})
    runner._executor = executor = PendingExecutor()
    runner._dispatch()
    assert _state(database, sid) == ("running", 1) and len(executor.futures) == 1
    return settings, database, sid, runner, executor


def _another_session(database, sid: int, key: str) -> int:  # noqa: ANN001
    """A second queued session of the same athlete; its id."""
    with database.session() as db:
        row = _row(db, db.get(TrainingSession, sid).athlete_id, "queued", 0, key)
        db.flush()
        return row.id


def _job_reports_progress(runner: JobRunner, fraction: float) -> Path:
    """The one job in flight writes its progress file, as it does on its worker; the file."""
    progress = next(iter(runner._progress_files.values()))
    progress.parent.mkdir(parents=True, exist_ok=True)
    progress.write_text(f'{{"stage": "pose", "fraction": {fraction}}}')
    return progress


def test_a_job_the_stop_cancels_before_it_ran_is_queued_again_not_counted(tmp_path, database_url):
    """Stopping the server closes its Dask cluster, which cancels the jobs in flight: once recorded
    failed for good ("the analysis worker crashed (CancelledError)"), then left running for the next
    start, which counted the attempt. A job that never ran is not the clip's doing: queued again
    by the stop, after the executor's close, the attempt not counted."""
    _, database, sid, runner, executor = _claimed(tmp_path, database_url, "8" * 32)
    seen_in_close = []

    def close() -> None:  # what closing the executor does to a job that has not finished
        assert executor.futures[0].cancel()
        seen_in_close.append(_state(database, sid))  # nothing written on the executor's thread

    runner._stack.callback(close)
    runner.stop()
    assert seen_in_close == [("running", 1)]
    with database.session() as db:
        row = db.get(TrainingSession, sid)
        assert (row.status, row.attempts, row.started_at, row.error) == ("queued", 0, None, None)
    assert not runner._inflight and not runner._claims
    database.dispose()


def test_a_job_the_stop_ends_after_it_started_is_counted_at_the_next_start(tmp_path, database_url):
    """A clip whose analysis keeps ending the server (a stop under memory pressure, say) must still
    fail after ``max_attempts``: a started job stays running, and ``recover`` counts it."""
    settings, database, sid, runner, executor = _claimed(tmp_path, database_url, "6" * 32, max_attempts=1)
    _job_reports_progress(runner, 0.3)  # the job has run on its worker
    runner._stop.set()
    executor.futures[0].cancel()
    runner.stop()
    assert _state(database, sid) == ("running", 1)
    JobRunner(database, settings, lambda *a: {}).recover()
    with database.session() as db:
        row = db.get(TrainingSession, sid)
        assert row.status == "failed" and "The server stopped during the analysis 1 times" in row.error
    database.dispose()


def test_a_job_the_cluster_cancels_without_a_stop_is_retried_and_counted(tmp_path, database_url):
    """Dask also cancels a job when its client loses the scheduler or the scheduler restarts; that is
    no stop of this server: queued again counting the attempt, failed after ``max_attempts``."""
    _, database, sid, runner, executor = _claimed(tmp_path, database_url, "5" * 32, max_attempts=2)
    executor.futures[0].cancel()
    assert _state(database, sid) == ("queued", 1)
    runner._dispatch()  # claimed again: attempt 2
    executor.futures[1].cancel()
    with database.session() as db:
        row = db.get(TrainingSession, sid)
        assert (row.status, row.attempts) == ("failed", 2)
        assert row.error.startswith("The analysis was cancelled on the Dask cluster 2 times")
    database.dispose()


def test_a_release_leaves_a_row_claimed_since_by_another_server_alone(tmp_path, database_url):
    """Two servers on one database (an overlapping deploy): the other one recovered the row and
    claimed it again (attempt 2); undoing this server's claim (attempt 1) must not touch it."""
    _, database, sid, runner, _ = _claimed(tmp_path, database_url, "4" * 32)
    with database.session() as db:
        db.get(TrainingSession, sid).attempts = 2  # recovered and re-claimed elsewhere
    assert runner._release(sid, 1, "not started because the server is stopping") is False
    assert _state(database, sid) == ("running", 2)
    database.dispose()


def test_a_broken_executor_is_reopened_and_its_jobs_are_not_failed(tmp_path, database_url):
    """A client that lost its remote scheduler for good refuses every submit: each queued job (and
    every new upload) was marked failed, one per poll, until a restart. Now the refused job goes
    back to the queue uncounted, so does the job in flight on it that never started, and the
    executor is reopened; the next dispatch runs both on the new one, and a late word from the
    old executor about its job is ignored."""
    settings, database, first = _one_session(tmp_path, database_url, "queued", 0, "d" * 32)
    second = _another_session(database, first, "c" * 32)
    runner = JobRunner(database, settings.with_(workers=2), lambda *a: {})

    class BreaksAfterOne(PendingExecutor):
        def submit(self, *args, **kwargs) -> Future:  # noqa: ANN002, ANN003
            if self.futures:
                raise RuntimeError("the client is closed")
            return super().submit(*args, **kwargs)

    fresh = PendingExecutor()
    runner._open_executor = lambda: setattr(runner, "_executor", fresh)  # type: ignore[method-assign]
    runner._executor = broken = BreaksAfterOne()
    runner._dispatch()
    assert _state(database, first) == ("queued", 0)  # in flight on the broken executor, never started
    assert _state(database, second) == ("queued", 0)  # refused: back in the queue, not counted
    assert runner._executor is fresh and not runner._inflight
    runner._dispatch()
    assert (_state(database, first), _state(database, second)) == (("running", 1), ("running", 1))
    assert len(fresh.futures) == 2 and runner._inflight[first] is fresh.futures[0]
    broken.futures[0].cancel()  # the old executor's word about the first job, now running on the new one
    assert _state(database, first) == ("running", 1) and runner._inflight[first] is fresh.futures[0]
    database.dispose()


def test_a_started_job_on_a_broken_executor_is_retried_and_counted(tmp_path, database_url):
    _, database, sid, runner, executor = _claimed(tmp_path, database_url, "a" * 32)
    progress = _job_reports_progress(runner, 0.2)
    runner._open_executor = lambda: None  # type: ignore[method-assign]
    runner._reopen_executor()
    assert _state(database, sid) == ("queued", 1) and not progress.exists()
    database.dispose()


def test_an_executor_that_cannot_be_reopened_keeps_jobs_queued_and_is_tried_again(tmp_path, database_url):
    settings, database, sid = _one_session(tmp_path, database_url, "queued", 0, "9a" * 16)
    runner = JobRunner(database, settings, lambda *a: {})
    attempts = []

    def open_executor() -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("the scheduler at tcp://10.0.0.1:8786 does not answer")
        runner._executor = PendingExecutor()
        runner._reopen_at = None

    runner._open_executor = open_executor  # type: ignore[method-assign]
    runner._reopen_executor()  # the executor broke; opening another fails
    assert runner._executor is None and runner._reopen_at is not None
    runner._dispatch()  # too early: nothing claimed, nothing opened
    assert _state(database, sid) == ("queued", 0) and len(attempts) == 1
    runner._reopen_at = runner._last_reopen = 0.0  # the 30 s have passed
    runner._dispatch()
    assert len(attempts) == 2 and _state(database, sid) == ("running", 1)
    database.dispose()


def test_a_stop_during_a_reopen_waits_for_it_and_closes_what_it_opened(tmp_path, database_url):
    """Opening a local cluster takes seconds; a stop that came meanwhile closed the empty stack the
    reopen had swapped in and returned, leaving the new cluster to outlive the server."""
    import threading

    settings, database, _ = _one_session(tmp_path, database_url, "queued", 0, "8a" * 16)
    runner = JobRunner(database, settings, lambda *a: {})
    opening, go, closed = threading.Event(), threading.Event(), []

    def open_executor() -> None:
        opening.set()
        go.wait(10)
        runner._stack.callback(closed.append, "the new executor")
        runner._executor = PendingExecutor()

    runner._open_executor = open_executor  # type: ignore[method-assign]
    reopen = threading.Thread(target=runner._reopen_executor)
    reopen.start()
    assert opening.wait(10)
    stopper = threading.Thread(target=runner.stop)
    stopper.start()
    stopper.join(0.3)
    assert stopper.is_alive()  # waits for the reopen
    go.set()
    reopen.join(10)
    stopper.join(10)
    assert closed == ["the new executor"] and runner._executor is None
    database.dispose()


def test_no_executor_claims_nothing(tmp_path, database_url, monkeypatch):
    settings, database, sid = _one_session(tmp_path, database_url, "queued", 0, "3" * 32)
    runner = JobRunner(database, settings, lambda *a: {})
    monkeypatch.setattr(runner, "_claim", lambda session_id: pytest.fail("claimed with nothing to run it on"))
    runner._dispatch()  # not started
    assert _state(database, sid) == ("queued", 0)
    database.dispose()


def test_a_job_seen_started_whose_progress_file_is_gone_is_counted(tmp_path, database_url):
    """The dispatcher saw its progress (the file may be gone by the time the stop cancels it)."""
    _, database, sid, runner, executor = _claimed(tmp_path, database_url, "2" * 32)
    progress = _job_reports_progress(runner, 0.5)
    runner._report_progress()
    progress.unlink()
    runner._stop.set()
    executor.futures[0].cancel()
    runner.stop()
    assert _state(database, sid) == ("running", 1)  # for recover(), counted
    database.dispose()


def test_a_thread_executor_stop_cancels_what_has_not_begun_and_records_what_ran(tmp_path, database_url, monkeypatch):
    """Two jobs dispatched, one pool thread: the first runs (and fails on its own account during the
    stop), the second waits in the pool; the stop cancels the waiting one (queued again, not
    counted) and records the running one's error instead of taking it for the stop's doing."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from runform.web import jobs

    monkeypatch.setattr(jobs, "ThreadPoolExecutor", lambda max_workers, **kw: ThreadPoolExecutor(1, **kw))

    settings, database, first = _one_session(tmp_path, database_url, "queued", 0, "1" * 32)
    second = _another_session(database, first, "0" * 32)
    running, release = threading.Event(), threading.Event()

    def analyse(source: str, out_dir: str, options: dict) -> dict:
        running.set()
        release.wait(20)
        raise RuntimeError("the clip's own error")

    runner = JobRunner(database, settings.with_(workers=2), analyse)
    runner.start()
    assert running.wait(20)
    deadline = time.monotonic() + 20
    while _state(database, second)[0] != "running" and time.monotonic() < deadline:  # claimed, waiting in the pool
        runner.wake()
        time.sleep(0.05)
    stopper = threading.Thread(target=runner.stop)
    stopper.start()
    time.sleep(0.3)
    release.set()
    stopper.join(30)
    with database.session() as db:
        ran, waited = db.get(TrainingSession, first), db.get(TrainingSession, second)
        assert ran.status == "failed" and "the clip's own error" in ran.error
        assert (waited.status, waited.attempts) == ("queued", 0)
    database.dispose()


def test_an_unreachable_database_while_stopping_leaves_the_job_to_recover(tmp_path, database_url, caplog):
    """Undoing a claim at the stop must not raise out of ``stop``: the row stays running and the
    next start's ``recover`` queues it again."""
    settings, database, sid, runner, executor = _claimed(tmp_path, database_url, "7" * 32)

    class Gone:
        def session(self):  # noqa: ANN202
            raise RuntimeError("the database is closed")

    runner._stop.set()
    executor.futures[0].cancel()
    runner.db = Gone()
    runner.stop()  # does not raise
    assert "could not be queued again now" in caplog.text
    assert _state(database, sid) == ("running", 1)
    JobRunner(database, settings, lambda *a: {}).recover()
    assert _state(database, sid) == ("queued", 1)
    database.dispose()


def test_a_session_deleted_while_its_job_runs_leaves_no_files(tmp_path, database_url):
    """The job goes on after the deletion and writes into the session's folder again (a refused
    clip's diagnostic here); only a finished job's folder used to be removed afterwards."""
    import threading

    from runform.web.services import delete_session

    key = "9" * 32
    settings, database, sid = _one_session(tmp_path, database_url, "queued", 0, key)
    (settings.sessions_dir / key).mkdir(parents=True)
    go = threading.Event()

    def refuse_later(source: str, out_dir: str, options: dict) -> dict:
        go.wait(20)
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        (Path(out_dir) / "diagnostic.html").write_text("refused")
        return {"status": "refused", "reason": "not running"}

    runner = JobRunner(database, settings, refuse_later)
    runner.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with database.session() as db:
                if db.get(TrainingSession, sid).status == "running":
                    delete_session(db, settings, db.get(TrainingSession, sid))
                    break
            time.sleep(0.05)
        go.set()
        deadline = time.monotonic() + 20  # the job writes, ends, and its done callback records it
        while ((settings.sessions_dir / key).exists() or runner._keys) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        runner.stop()
    assert not (settings.sessions_dir / key).exists() and not runner._keys
    database.dispose()


def test_migrations_match_the_models(database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    migrate(database_url)
    migrate(database_url)  # idempotent
    engine = create_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def test_user_add_from_stdin(tmp_path, database_url):
    from runform.cli import app

    runner = CliRunner()
    args = ["user", "add", "Coach@Club.test", "--password-stdin", "--admin", "--data-dir", str(tmp_path), "--database-url", database_url]
    result = runner.invoke(app, args, input="long enough secret\n")
    assert result.exit_code == 0, result.output
    again = runner.invoke(app, args, input="long enough secret\n")
    assert again.exit_code == 3 and "already exists" in again.output
    short = runner.invoke(app, [*args[:2], "x@y.test", *args[3:]], input="short\n")
    assert short.exit_code == 3 and "too short" in short.output
    listed = runner.invoke(app, ["user", "list", "--data-dir", str(tmp_path), "--database-url", database_url])
    assert listed.output.split() == ["coach@club.test", "admin", "active"]


def _run_until_idle(database, settings, analyser) -> None:  # noqa: ANN001
    """Start a job runner, wait until no job is left (at most 30 s), stop it."""
    runner = JobRunner(database, settings, analyser)
    runner.start()
    try:
        assert runner.wait_idle(30)
    finally:
        runner.stop()


def test_a_job_on_the_local_cluster_runs_its_pose_in_two_processes_when_it_has_two_cores(tmp_path, monkeypatch, clip):
    """The web app's Dask worker is daemonic (the pose backend alone would keep one process), but it
    has the cores to itself: a long clip gets two pose processes, as `runform analyze` does."""
    from fixtures.data import encode_rgb

    from runform.batch import SCHEDULER_ENV, default_workers
    from runform.io import iter_frames
    from runform.web.jobs import pose_workers

    monkeypatch.delenv(SCHEDULER_ENV, raising=False)
    short = encode_rgb((f.rgb for f in iter_frames(clip, end_s=3.0)), tmp_path / "short.mp4")
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    one_worker = make_settings(tmp_path / "data", url, executor="process", workers=1)
    two_cores = default_workers() >= 2
    assert pose_workers(str(clip), one_worker) == (2 if two_cores else 1)  # 12 s clip
    assert pose_workers(str(short), one_worker) == 1  # too short to repay a second process
    assert pose_workers(str(clip), make_settings(tmp_path / "data", url, executor="process", workers=default_workers())) == 1
    assert pose_workers(str(clip), make_settings(tmp_path / "data", url, executor="thread", workers=1)) is None
    assert pose_workers(str(tmp_path / "missing.mp4"), one_worker) is None  # the job itself reports the clip
    monkeypatch.setenv(SCHEDULER_ENV, "tcp://127.0.0.1:1")
    assert pose_workers(str(clip), one_worker) is None  # an existing cluster: its cores are unknown here


def test_the_session_shows_the_jobs_own_progress_while_it_runs(tmp_path, database_url, replay_folder):
    """The job keeps its progress in a file beside its output folder (runform.batch.ProgressFile);
    the dispatcher copies it into the session row, so the page's progress bar moves."""
    import threading

    from runform.batch import PROGRESS_FILE_OPTION, ProgressFile

    settings = make_settings(tmp_path / "data", database_url)
    migrate(database_url)
    database = Database(database_url)
    with database.session() as db:
        row = _row(db, make_athlete(db).id, "queued", 0, "e" * 32)
        db.flush()
        sid = row.id
    (settings.sessions_dir / ("e" * 32)).mkdir(parents=True)
    halfway, release, seen_files = threading.Event(), threading.Event(), []
    replay = ReplayAnalyser(replay_folder)

    def analyser(source: str, out_dir: str, options: dict) -> dict:
        progress = ProgressFile(Path(options[PROGRESS_FILE_OPTION]), min_interval_s=0.0)
        progress(50, 100, "pose")  # half the pose stage: 0.375 of the job
        seen_files.append(progress.path)
        halfway.set()
        release.wait(30)
        return replay(source, out_dir, options)

    runner = JobRunner(database, settings, analyser)
    runner.start()
    try:
        assert halfway.wait(30)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with database.session() as db:
                shown = db.get(TrainingSession, sid).progress
            if shown > 0.1:
                break
            time.sleep(0.2)
        assert shown == pytest.approx(0.1 + 0.85 * 0.375, abs=1e-3)
        release.set()
        assert runner.wait_idle(30)
    finally:
        release.set()
        runner.stop()
    with database.session() as db:
        done = db.get(TrainingSession, sid)
        assert (done.status, done.progress) == ("done", 1.0)
    assert seen_files and not seen_files[0].exists()  # no progress file left beside the results
    database.dispose()


def test_an_athletes_sessions_of_one_day_keep_their_upload_order():
    """Film, cue, film again: two sessions on one date. Ordered by date alone, PostgreSQL may return
    them either way round, and the compare form's before/after (and the table) with them."""
    from sqlalchemy.orm import configure_mappers

    configure_mappers()
    assert [c.name for c in Athlete.sessions.property.order_by] == ["session_date", "id"]


def test_a_clip_over_2_gib_is_stored(tmp_path, database_url):
    """clip_bytes was a 32-bit INTEGER: on PostgreSQL a clip over 2 GiB failed at the flush, after
    its whole upload (migration 0002 makes it 64-bit)."""
    _, database, sid = _one_session(tmp_path, database_url, "queued", 0, "8" * 32)
    with database.session() as db:
        db.get(TrainingSession, sid).clip_bytes = 3 * 2**30
    with database.session() as db:
        assert db.get(TrainingSession, sid).clip_bytes == 3 * 2**30
    database.dispose()


def test_a_queued_or_running_session_is_not_reanalysed(tmp_path, database_url):
    from runform.web.services import Busy, reanalyse_session

    settings = make_settings(tmp_path / "data", database_url)
    migrate(database_url)
    database = Database(database_url)
    with database.session() as db:
        athlete = make_athlete(db)
        running, failed = _row(db, athlete.id, "running", 1, "5" * 32), _row(db, athlete.id, "failed", 2, "6" * 32)
        db.flush()
        with pytest.raises(Busy):
            reanalyse_session(db, settings, running)
        reanalyse_session(db, settings, failed)
        assert (failed.status, failed.attempts, failed.error) == ("queued", 0, None)
    database.dispose()
