"""Per-stride metrics, run summaries, uncertainty and gait-cycle curves."""

from runform.metrics.curves import gait_cycle_curves
from runform.metrics.strides import StrideMetrics, missing_spans_s
from runform.metrics.summary import TIMING_METRICS, overall_cadence_steps_per_min, run_summary, summarize
from runform.metrics.uncertainty import attach as attach_uncertainty

__all__ = [
    "TIMING_METRICS",
    "StrideMetrics",
    "attach_uncertainty",
    "gait_cycle_curves",
    "missing_spans_s",
    "overall_cadence_steps_per_min",
    "run_summary",
    "summarize",
]
