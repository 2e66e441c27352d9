"""Checks every input path goes through before any reader opens it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from runform.errors import InputError, KeypointDataError


def check_input_file(path: Path) -> None:
    """Raise :class:`InputError` for a missing path, a directory or an empty file."""
    if not path.exists():
        raise InputError(f"Input file not found: {path}", expected="an existing video or keypoint file", fix="check the path")
    if path.is_dir():
        raise InputError(f"{path} is a directory", expected="a video or keypoint file", fix="give the path of one file")
    if path.stat().st_size == 0:
        raise InputError(f"{path.name} is empty (0 bytes)", expected="a video or keypoint file", fix="copy or export it again")


def read_table(path: Path, sep: str = ",", expected: str = "a delimited text table", fix: str = "") -> pd.DataFrame:
    """Read a text table, turning parser failures into a :class:`KeypointDataError`."""
    try:
        return pd.read_csv(path, sep=sep)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise KeypointDataError(f"Cannot read {path.name}", expected=expected, found=type(exc).__name__, fix=fix) from None
