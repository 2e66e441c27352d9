"""Fixes from the review of 3021d49: no argon2 hash at import; a claimed job whose preparation
fails is recorded as failed; the job runner's storage keys are dropped for every ending."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

import runform
from runform.errors import OptionError

ROOT = Path(runform.__file__).resolve().parents[1]  # the runform under test, for child processes


def test_importing_security_hashes_nothing_and_the_dummy_hash_is_made_once():
    code = (
        "import argon2\n"
        "calls = []\n"
        "real = argon2.PasswordHasher.hash\n"
        "argon2.PasswordHasher.hash = lambda self, *a, **k: calls.append(1) or real(self, *a, **k)\n"
        "import runform.web.security as security\n"
        "assert calls == [], 'argon2 ran at import'\n"
        "security.verify_password(security._dummy_hash(), 'x')\n"
        "security.verify_password(security._dummy_hash(), 'y')\n"
        "assert calls == [1], calls\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("given, expected", [([], None), (["--max-upload-mb", "20"], 20.0)])
def test_serve_takes_the_upload_limit_from_the_web_settings_unless_given(monkeypatch, tmp_path, given, expected):
    import runform.web
    from runform.cli import app
    from runform.web.settings import MAX_UPLOAD_MB

    seen = {}

    def load_settings(*args: object, **options: object) -> None:
        seen.update(options)
        raise OptionError("stop here", found="the settings", fix="none")

    monkeypatch.setattr(runform.web, "load_settings", load_settings)
    result = CliRunner().invoke(app, ["serve", "--data-dir", str(tmp_path / "data"), *given])
    assert result.exit_code == 3 and "stop here" in result.output, result.output
    assert seen.get("max_upload_mb") == expected  # none given: WebSettings' default, MAX_UPLOAD_MB
    assert runform.web.WebSettings(data_dir=tmp_path, database_url="sqlite://").max_upload_mb == MAX_UPLOAD_MB


def test_a_claimed_job_whose_preparation_fails_is_failed_not_left_running(tmp_path, monkeypatch):
    from fixtures.web import make_athlete, make_settings

    from runform.web import Database, jobs, migrate
    from runform.web.models import TrainingSession

    url = f"sqlite:///{tmp_path / 'web.sqlite3'}"
    settings = make_settings(tmp_path / "data", url)
    migrate(url)
    database = Database(url)
    with database.session() as db:
        athlete = make_athlete(db)
        row = TrainingSession(athlete_id=athlete.id, storage_key="f" * 32, clip_suffix=".mp4", original_name="c.mp4",
                              clip_bytes=1, session_date=date(2025, 1, 1), status="queued", attempts=0, progress=0.0,
                              conditions="")  # fmt: skip
        db.add(row)
        db.flush()
        sid = row.id

    def broken_probe(source: str, settings: object) -> int:
        raise PermissionError(13, "Permission denied", source)

    monkeypatch.setattr(jobs, "pose_workers", broken_probe)
    runner = jobs.JobRunner(database, settings, lambda *a: {})
    runner._executor = ThreadPoolExecutor(1)
    try:
        runner._dispatch()
    finally:
        runner._executor.shutdown()
    with database.session() as db:
        row = db.get(TrainingSession, sid)
        assert row.status == "failed" and "could not be started (PermissionError" in row.error
    assert not runner._inflight and not runner._keys
    database.dispose()


def test_a_job_cancelled_by_the_stop_forgets_its_storage_key(tmp_path):
    from runform.web.jobs import JobRunner

    runner = JobRunner(None, None, lambda *a: {})  # type: ignore[arg-type]
    cancelled: Future = Future()
    cancelled.cancel()
    runner._keys[7], runner._claims[7], runner._inflight[7] = "k" * 32, 1, cancelled
    runner._stop.set()  # the stop's close cancelled it; no database is touched until after the close
    runner._finished(7, cancelled)
    assert runner._keys == {} and runner._claims == {}
    assert runner._unstarted_at_stop == [(7, 1)]
