"""The model validates once, at construction: a table of good and bad records."""

from __future__ import annotations

from contextlib import nullcontext as does_not_raise

import numpy as np
import pandas as pd
import pytest

from runform.errors import AnalysisError, KeypointDataError
from runform.model import (
    Calibration,
    Check,
    CleaningReport,
    Keypoints,
    MotionCapture,
    QualityReport,
    check_events_table,
    empty_events,
)


def _kp(n_t=5, n_k=2, **changes):
    args = {"xy_px": np.zeros((n_t, n_k, 2)), "confidence": np.ones((n_t, n_k)), "time_s": np.arange(n_t) / 30,
            "names": tuple(f"p{i}" for i in range(n_k))}  # fmt: skip
    args.update(changes)
    return Keypoints(**args)


CLEANING = {"direction": 1, "stride_frequency_hz": 1.4, "cutoff_hz": 9.8, "n_swapped_frames": 0, "n_glitches": 0,
            "side_cue": "depth", "sides_relabelled": False, "fraction_missing": 0.0, "fraction_missing_before_fill": 0.0}  # fmt: skip

CASES = [
    ("keypoints-ok", lambda: _kp(), does_not_raise()),
    ("keypoints-3d", lambda: _kp(xy_px=np.zeros((5, 2, 3))), pytest.raises(KeypointDataError, match="wrong shape")),
    ("keypoints-time", lambda: _kp(time_s=np.zeros(5)), pytest.raises(KeypointDataError, match="strictly increasing")),
    ("keypoints-names", lambda: _kp(names=("a", "a")), pytest.raises(KeypointDataError, match="names")),
    ("mocap-rate", lambda: MotionCapture(np.ones((3, 1, 3)), ("a",), 0.0), pytest.raises(KeypointDataError, match="rate")),
    ("calibration-ok", lambda: Calibration("height", 400.0, 900.0, 390.0), does_not_raise()),
    ("calibration-method", lambda: Calibration("guess", 1.0, 1.0, 1.0), pytest.raises(AnalysisError, match="method")),
    ("calibration-none-with-scale", lambda: Calibration("none", 2.0, 1.0, 1.0), pytest.raises(AnalysisError, match="scale")),
    ("cleaning-ok", lambda: CleaningReport(**CLEANING), does_not_raise()),
    ("cleaning-direction", lambda: CleaningReport(**{**CLEANING, "direction": 0}), pytest.raises(AnalysisError, match="direction")),
    ("check-verdict", lambda: Check("x", "maybe", 1.0, "", ""), pytest.raises(AnalysisError, match="verdict")),
    ("quality-not-checks", lambda: QualityReport(("pass",)), pytest.raises(AnalysisError, match="Check records")),
    ("events-ok", lambda: check_events_table(empty_events()), does_not_raise()),
    ("events-columns", lambda: check_events_table(pd.DataFrame({"t": [1.0]})), pytest.raises(AnalysisError, match="columns")),
    ("events-kind", lambda: check_events_table(pd.DataFrame([(1, 0.1, "left", "landing", 1.0)], columns=empty_events().columns)),
     pytest.raises(AnalysisError, match="unknown kinds")),
]  # fmt: skip


@pytest.mark.parametrize(("build", "expectation"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_records_are_validated_at_construction(build, expectation):
    with expectation:
        build()


def test_quality_report_verdict_is_the_worst_check():
    checks = (Check("a", "pass", 1, "", ""), Check("b", "warn", 2, "", ""), Check("c", "refuse", None, "", ""))
    report = QualityReport(checks)
    assert report.verdict == "refuse" and [c.name for c in report.refusals] == ["c"] and report.get("b") is checks[1]
    assert QualityReport(()).verdict == "pass"


def test_calibration_units():
    assert Calibration("height", 100.0, 300.0, 90.0).running_speed_mps == 3.0
    none = Calibration("none", None, 300.0, 90.0)
    assert none.length_unit == "px" and none.running_speed_mps is None and float(none.length(5.0)) == 5.0


def test_analysis_record_refuses_coaching_for_a_refused_clip(gait_keypoints):
    from dataclasses import replace

    from runform.config import Config
    from runform.pipeline import analyze_keypoints

    analysis = analyze_keypoints(gait_keypoints[0], Config(), "synthetic")
    refused = QualityReport((Check("running", "refuse", None, "", "walking"),))
    with pytest.raises(AnalysisError, match="refused clip"):
        replace(analysis, quality=refused)
    assert replace(analysis, quality=refused, coaching=None).refused


def test_nanmean_or_nan_is_numpys_nanmean_without_the_empty_slice_warning():
    import warnings

    from runform.model import nanmean_or_nan

    rng = np.random.default_rng(1)
    values = rng.normal(0, 100, (50, 33, 2))
    values[rng.random(values.shape) < 0.4] = np.nan
    values[:5] = np.nan  # frames with no landmark at all
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = [np.nanmean(values[:, ::3], axis=a) for a in (0, 1, 2)]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        got = [nanmean_or_nan(values[:, ::3], axis=a) for a in (0, 1, 2)]
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_array_equal(g, e)  # the same bits, NaN where nothing is known
    assert np.isnan(got[1][:5]).all()
