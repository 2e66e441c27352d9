"""Batch analysis and scale-out on Dask distributed: a folder or manifest of clips, one output
folder each, ``summary.csv`` and ``index.html``; resumable; the same executor for the web app."""

from runform.batch.executor import SCHEDULER_ENV, default_workers, make_executor, scheduler_address
from runform.batch.job import HEADLINE_METRICS, analyse_one

__all__ = ["HEADLINE_METRICS", "SCHEDULER_ENV", "analyse_one", "default_workers", "make_executor", "scheduler_address"]
