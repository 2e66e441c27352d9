"""Fixes from the review of 3021d49: no argon2 hash at import; a claimed job whose preparation
fails is recorded as failed; the job runner's storage keys are dropped for every ending."""

from __future__ import annotations

import os
import subprocess
import sys
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
