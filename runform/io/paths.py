"""Checks every input path goes through before any reader opens it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from runform.errors import InputError, KeypointDataError


def check_input_file(path: Path) -> None:
    """Raise :class:`InputError` for a missing path, a directory or an empty file."""
    if not path.exists():
        raise InputError(f"Input file not found: {path}", expected="an existing video or keypoint file",
                         found="no such file or folder", fix="check the path")  # fmt: skip
    if path.is_dir():
        raise InputError(f"{path} is a directory", expected="a video or keypoint file", found="a folder",
                         fix="give the path of one file (runform batch takes a folder)")  # fmt: skip
    if path.stat().st_size == 0:
        raise InputError(f"{path.name} is empty (0 bytes)", expected="a video or keypoint file", found="0 bytes",
                         fix="copy or export it again")  # fmt: skip


def _semicolon_header(path: Path) -> bool:
    """Is the header row separated by semicolons (and holds no comma)?"""
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as handle:
            header = handle.readline()
    except OSError:
        return False
    return ";" in header and "," not in header


def read_table(path: Path, sep: str = ",", expected: str = "a delimited text table", fix: str = "") -> pd.DataFrame:
    """Read a text table, turning parser failures into a :class:`KeypointDataError`. A comma table
    saved by a spreadsheet in a decimal-comma locale (";" between columns, "," in numbers) is read
    as such. Column names are stripped of spaces ("time_s, left_hip_x" is read as written)."""
    try:
        if sep == "," and _semicolon_header(path):
            table = pd.read_csv(path, sep=";")
            if any(table[c].dtype == object and table[c].astype(str).str.contains(",").any() for c in table.columns):
                table = pd.read_csv(path, sep=";", decimal=",")
        else:
            table = pd.read_csv(path, sep=sep)
        return table.rename(columns=lambda c: c.strip() if isinstance(c, str) else c)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise KeypointDataError(f"Cannot read {path.name}", expected=expected, found=type(exc).__name__, fix=fix) from None
