"""``summary.csv`` (one row per input) and ``index.html`` (links to every report) of a batch.

Both are written atomically (temporary file, then rename) after every finished clip, so an
interrupted batch leaves a valid summary of what finished.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from runform.batch.job import HEADLINE_METRICS, ROW_COLUMNS
from runform.errors import OutputError

SUMMARY_FILE = "summary.csv"
INDEX_FILE = "index.html"
#: Identity columns before the job's own row columns (``source_stamp``: the input file's
#: ``<size>:<mtime_ns>`` when it was analysed, see :func:`runform.batch.inputs.source_stamp`).
ID_COLUMNS = ("name", "athlete", "options_key", "source_stamp")
#: Metrics shown in index.html: (column, label, decimals).
INDEX_METRICS = (("cadence_steps_per_min", "cadence (steps/min)", 1), ("contact_time_s", "contact (s)", 3),
                 ("max_thigh_angle_deg", "knee lift (°)", 1), ("stride_length_m", "stride (m)", 2))  # fmt: skip


#: Each headline metric's value and ``_uncertainty`` columns.
METRIC_COLUMNS = tuple(c for m in HEADLINE_METRICS for c in (m, f"{m}_uncertainty"))
#: Columns holding numbers (the rest is text: names, athletes, paths, reasons, keys).
NUMBER_COLUMNS = ("n_frames", "n_strides", "seconds", *METRIC_COLUMNS)


def summary_columns() -> list[str]:
    return [*ID_COLUMNS, *ROW_COLUMNS, *METRIC_COLUMNS]


def read_summary(out_dir: Path) -> pd.DataFrame:
    """The summary of an earlier run into ``out_dir`` (empty when there is none).

    Raises :class:`~runform.errors.OutputError` for a ``summary.csv`` that is there but cannot be
    read as one: taken as empty, a resumed batch would redo every clip, give the clips' folders to
    other files and overwrite the old summary."""
    path = out_dir / SUMMARY_FILE
    if not path.exists() and not path.is_symlink():
        return pd.DataFrame(columns=summary_columns())
    try:  # every cell as written: an athlete "0042" or "NA", a clip named NA, stay what they are
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, ValueError) as exc:  # ValueError: pandas' ParserError, EmptyDataError, UnicodeDecodeError
        raise _unreadable(path, f"{type(exc).__name__}: {exc}") from None
    if "name" not in table.columns:
        raise _unreadable(path, f"the columns {', '.join(map(str, table.columns)) or '(none)'}, without 'name'")
    table = table.astype(object).where(table != "", None)
    for column in NUMBER_COLUMNS:  # the numbers as numbers again (text columns stay exactly as written)
        if column in table.columns:
            values = pd.to_numeric(table[column], errors="coerce")
            table[column] = values.astype(object).where(values.notna(), None)
    table["reason"] = table["reason"].fillna("") if "reason" in table.columns else ""
    return table


def _unreadable(path: Path, found: str) -> OutputError:
    return OutputError(f"Cannot read the earlier batch summary {path}",
                       expected="summary.csv as runform writes it (comma-separated, UTF-8, a header row with name, path, status...)",
                       found=found, fix="restore it, or move it away to start the summary afresh "
                       "(finished clips are then analysed again)")  # fmt: skip


def write_summary(rows: list[dict[str, Any]], out_dir: Path) -> None:
    """``summary.csv`` and ``index.html`` for ``rows`` (input order), each replaced atomically."""
    table = pd.DataFrame(rows, dtype=object).reindex(columns=summary_columns())
    table = table.map(_csv_cell)  # each value as the analysis wrote it: no rounding, counts stay whole
    _atomic_write(out_dir / SUMMARY_FILE, table.to_csv(index=False))
    _atomic_write(out_dir / INDEX_FILE, render_index(rows, out_dir))


def _csv_cell(value: object) -> object:
    """A whole float (a count that passed through a column with gaps) as an integer; NaN as empty."""
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
    return value


def render_index(rows: list[dict[str, Any]], out_dir: Path) -> str:
    env = jinja2.Environment(loader=jinja2.PackageLoader("runform.batch", "templates"), autoescape=True)
    shown = []
    for row in rows:
        page = Path(row["name"]) / ("report.html" if row["status"] == "done" else "diagnostic.html")  # refused: why
        shown.append({
            "name": row["name"], "athlete": row.get("athlete") or "", "status": row["status"], "reason": row.get("reason") or "",
            "report": page.as_posix() if row["status"] in ("done", "refused") and (out_dir / page).is_file() else None,
            "cells": [_cell(row.get(m), row.get(f"{m}_uncertainty"), d) for m, _, d in INDEX_METRICS],
        })  # fmt: skip
    counts = {s: sum(r["status"] == s for r in rows) for s in ("done", "refused", "failed")}
    return env.get_template("index.html.j2").render(rows=shown, counts=counts, metric_labels=[m[1] for m in INDEX_METRICS])


def _cell(value: object, uncertainty: object, digits: int) -> str:
    if value is None or value == "" or pd.isna(value):  # type: ignore[arg-type]
        return "–"
    text = f"{float(value):.{digits}f}"  # type: ignore[arg-type]
    if uncertainty is not None and uncertainty != "" and not pd.isna(uncertainty):  # type: ignore[arg-type]
        text += f" ± {float(uncertainty):.{digits}f}"  # type: ignore[arg-type]
    return text


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
