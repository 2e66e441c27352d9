"""The README's static checks hold: ``ruff check runform tests benchmarks`` and ``mypy`` (its
``[tool.mypy]`` files: ``runform/model`` and ``pipeline.py``) report nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-m", "ruff", "check", "runform", "tests", "benchmarks"],
        [sys.executable, "-m", "mypy", "--no-error-summary"],
    ],
    ids=["ruff", "mypy"],
)
def test_static_check_is_clean(command: list[str], tmp_path: Path) -> None:
    if command[2] == "mypy":
        command = [*command, "--cache-dir", str(tmp_path / "mypy_cache")]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{' '.join(command[2:])} found problems:\n{done.stdout}\n{done.stderr}"
