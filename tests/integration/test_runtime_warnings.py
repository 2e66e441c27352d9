"""RuntimeWarnings: a normal analysis raises none (the known empty-slice cases are handled where
they happen), and the pipeline does not swallow the ones that do occur (no process-wide filter
around a run: that filter is not thread-safe and hides real overflow or invalid-value problems)."""

from __future__ import annotations

import warnings

import pytest

import runform.pipeline
from runform.pipeline import analyze


def test_a_normal_analysis_of_the_synthetic_runner_emits_no_runtime_warning(gait_csv):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        analysis = analyze(gait_csv)
    assert len(analysis.strides) > 10


def test_a_runtime_warning_inside_a_stage_reaches_the_caller(gait_csv, monkeypatch):
    stage = runform.pipeline.gait_cycle_curves

    def warning_stage(*args, **kwargs):
        warnings.warn("overflow in a stage", RuntimeWarning, stacklevel=2)
        return stage(*args, **kwargs)

    monkeypatch.setattr(runform.pipeline, "gait_cycle_curves", warning_stage)
    with pytest.warns(RuntimeWarning, match="overflow in a stage"):
        analyze(gait_csv)
