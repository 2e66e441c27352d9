"""One batch job: analyse one clip into its output folder and return its summary row.

:func:`analyse_one` is a picklable module-level function run on a Dask worker. It never raises for
a bad clip: a quality-gate refusal gives ``status="refused"``, any other failure
``status="failed"``, each with the reason.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from runform.errors import QualityRefused, RunformError

logger = logging.getLogger(__name__)

#: Headline metrics copied into the summary row as ``<metric>`` and ``<metric>_uncertainty``.
HEADLINE_METRICS = (
    "cadence_steps_per_min", "contact_time_s", "duty_factor", "max_thigh_angle_deg", "hip_extension_at_toe_off_deg",
    "shank_angle_at_contact_deg", "stride_length_m", "vertical_oscillation_cm", "trunk_lean_deg",
)  # fmt: skip
#: Columns every summary row has, in this order (then the metric columns).
ROW_COLUMNS = ("path", "status", "reason", "out_dir", "verdict", "n_frames", "n_strides", "seconds")


def empty_row(source: str, status: str, reason: str = "", out_dir: str = "") -> dict[str, Any]:
    """A summary row with every column present (metrics empty)."""
    row: dict[str, Any] = dict.fromkeys(ROW_COLUMNS, None)
    row.update(path=str(source), status=status, reason=reason, out_dir=str(out_dir))
    for metric in HEADLINE_METRICS:
        row[metric] = row[f"{metric}_uncertainty"] = None
    return row


def analyse_one(source: str, out_dir: str, options: dict[str, Any]) -> dict[str, Any]:
    """Run :func:`runform.run` on ``source`` into ``out_dir`` with Config ``options``; return its row.

    Row: ``path``, ``status`` (done / refused / failed), ``reason``, ``out_dir`` (empty unless
    done), ``verdict``, ``n_frames``, ``n_strides``, ``seconds`` and, per headline metric,
    ``<metric>`` and ``<metric>_uncertainty``.
    """
    from runform import run
    from runform.config import make_config

    start = time.perf_counter()
    try:
        analysis = run(source, make_config(**config_options(options)), out_dir)
    except QualityRefused as err:
        row = empty_row(source, "refused", err.message)
        row["verdict"] = "refuse"
    except RunformError as err:
        row = empty_row(source, "failed", f"{type(err).__name__}: {err.message}")
    except Exception as err:  # noqa: BLE001 - a batch records any failure of one clip and goes on
        logger.exception("analysis of %s failed", source)
        row = empty_row(source, "failed", f"unexpected {type(err).__name__}: {err}")
    else:
        row = empty_row(source, "done", "", out_dir)
        row.update(verdict=analysis.quality.verdict, n_frames=analysis.keypoints.n_frames, n_strides=len(analysis.strides))
        for metric in HEADLINE_METRICS:
            entry = analysis.summary.get(metric) or {}
            row[metric] = _number(entry.get("value"))
            row[f"{metric}_uncertainty"] = _number(entry.get("uncertainty"))
    row["seconds"] = round(time.perf_counter() - start, 2)
    return row


def config_options(options: dict[str, Any]) -> dict[str, Any]:
    """Batch options -> Config fields: ``fast`` selects the fast pose model, as ``--fast`` does."""
    options = dict(options)
    if options.pop("fast", False):
        options["model_complexity"] = 0
    return options


def _number(value: object) -> float | None:
    try:
        return None if value is None else float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
