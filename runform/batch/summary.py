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

SUMMARY_FILE = "summary.csv"
INDEX_FILE = "index.html"
#: Identity columns before the job's own row columns (``source_stamp``: the input file's
#: ``<size>:<mtime_ns>`` when it was analysed, see :func:`runform.batch.inputs.source_stamp`).
ID_COLUMNS = ("name", "athlete", "options_key", "source_stamp")
#: Metrics shown in index.html: (column, label, decimals).
INDEX_METRICS = (("cadence_steps_per_min", "cadence (steps/min)", 1), ("contact_time_s", "contact (s)", 3),
                 ("max_thigh_angle_deg", "knee lift (°)", 1), ("stride_length_m", "stride (m)", 2))  # fmt: skip


def summary_columns() -> list[str]:
    metrics = [c for m in HEADLINE_METRICS for c in (m, f"{m}_uncertainty")]
    return [*ID_COLUMNS, *ROW_COLUMNS, *metrics]


def read_summary(out_dir: Path) -> pd.DataFrame:
    """The summary of an earlier run into ``out_dir`` (empty when there is none or it is unreadable)."""
    path = out_dir / SUMMARY_FILE
    try:
        table = pd.read_csv(path, dtype={"name": str, "options_key": str, "source_stamp": str, "status": str, "path": str,
                                          "reason": str})  # fmt: skip
    except (OSError, ValueError, pd.errors.ParserError):
        return pd.DataFrame(columns=summary_columns())
    table = table.astype(object).where(table.notna(), None)
    table["reason"] = table["reason"].fillna("") if "reason" in table.columns else ""
    return table


def write_summary(rows: list[dict[str, Any]], out_dir: Path) -> None:
    """``summary.csv`` and ``index.html`` for ``rows`` (input order), each replaced atomically."""
    table = pd.DataFrame(rows).reindex(columns=summary_columns())
    _atomic_write(out_dir / SUMMARY_FILE, table.to_csv(index=False, float_format="%.4g"))
    _atomic_write(out_dir / INDEX_FILE, render_index(rows, out_dir))


def render_index(rows: list[dict[str, Any]], out_dir: Path) -> str:
    env = jinja2.Environment(loader=jinja2.PackageLoader("runform.batch", "templates"), autoescape=True)
    shown = []
    for row in rows:
        report = Path(row["name"]) / "report.html"
        shown.append({
            "name": row["name"], "athlete": row.get("athlete") or "", "status": row["status"], "reason": row.get("reason") or "",
            "report": report.as_posix() if row["status"] == "done" and (out_dir / report).is_file() else None,
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
