"""Under CI (``CI=true``) a test whose prerequisite is missing (the shared data, Chromium, Playwright,
PostgreSQL) fails with what is missing and how to provide it; elsewhere it is skipped with that reason
(``fixtures.require``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures.require import missing

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("ci", ["true", "TRUE", "1"])
def test_missing_prerequisite_fails_under_ci(monkeypatch, ci):
    monkeypatch.setenv("CI", ci)
    with pytest.raises(BaseException) as outcome:  # a skip must not escape as this test's own skip
        missing("the thing", "install it")
    assert outcome.type is pytest.fail.Exception
    assert outcome.value.msg.startswith(f"the thing is missing; install it (CI={ci}:"), outcome.value.msg


@pytest.mark.parametrize("ci", [None, "", "false"])
def test_missing_prerequisite_is_a_skip_elsewhere(monkeypatch, ci):
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(BaseException) as outcome:
        missing("the thing", "install it")
    assert outcome.type is pytest.skip.Exception and outcome.value.msg == "the thing is missing; install it"


def _pytest(node: str, ci: str | None, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("CI", "RUNFORM_TEST_POSTGRES_URL")} | env
    if ci is not None:
        environ["CI"] = ci
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rsf", node],
                          cwd=ROOT, env=environ, capture_output=True, text=True, timeout=300)  # fmt: skip


@pytest.mark.parametrize("ci", ["true", None], ids=["ci", "local"])
def test_missing_shared_data(tmp_path, ci):
    """The real wiring: ``need`` in a test module that reads RBDS, with the data folder elsewhere."""
    done = _pytest("tests/unit/kinematics/test_upsample.py", ci, RUNFORM_SHARED_DATA=str(tmp_path / "no-data"))
    out = done.stdout + done.stderr
    assert "RUNFORM_SHARED_DATA" in out and str(tmp_path / "no-data") in out, out
    if ci:
        assert done.returncode == 1 and "2 errors" in out and "skipped" not in out, out  # fixtures' setup errors
    else:
        assert done.returncode == 0 and "skipped" in out and "failed" not in out, out


@pytest.mark.parametrize("ci", ["true", None], ids=["ci", "local"])
def test_missing_postgresql(ci):
    done = _pytest("tests/unit/web/test_jobs_and_db.py::test_a_crashing_worker_marks_the_job_failed", ci)
    out = done.stdout + done.stderr
    assert "RUNFORM_TEST_POSTGRES_URL is not set" in out, out
    if ci:  # the SQLite variant passes, the PostgreSQL one fails
        assert done.returncode == 1 and "1 passed, 1 error" in out, out
    else:
        assert done.returncode == 0 and "1 passed, 1 skipped" in out, out
