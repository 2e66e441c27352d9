"""Batch analysis and scale-out on Dask distributed: a folder or manifest of clips, one output
folder each, ``summary.csv`` and ``index.html``; resumable; the same executor for the web app."""

from runform.batch.executor import SCHEDULER_ENV, default_workers, make_executor, scheduler_address
from runform.batch.inputs import BatchItem, read_inputs, source_stamp
from runform.batch.job import HEADLINE_METRICS, PROGRESS_FILE_OPTION, ProgressFile, analyse_one, read_progress
from runform.batch.runner import (
    BatchInterrupted,
    BatchProgress,
    BatchStarted,
    claim_names,
    earlier_rows,
    interrupted,
    pending_items,
    remove_partial_outputs,
    run_batch,
    run_from_inputs,
)
from runform.batch.summary import INDEX_FILE, SUMMARY_FILE, read_summary

__all__ = [
    "HEADLINE_METRICS", "INDEX_FILE", "PROGRESS_FILE_OPTION", "SCHEDULER_ENV", "SUMMARY_FILE", "BatchInterrupted",
    "BatchItem", "BatchProgress", "BatchStarted", "ProgressFile", "analyse_one", "claim_names", "default_workers", "earlier_rows", "interrupted", "make_executor",
    "pending_items", "read_inputs", "read_progress", "read_summary", "remove_partial_outputs", "run_batch", "run_from_inputs",
    "scheduler_address", "source_stamp",
]  # fmt: skip
