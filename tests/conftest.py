"""Test layout: ``tests/unit/<package>/`` mirrors ``runform/``, ``tests/integration/`` runs whole
analyses; fixtures live in ``tests/fixtures/`` (each with a docstring) and are registered here.

Markers: ``video`` (needs a BlazePose run on a real clip), ``slow`` (more than a few seconds),
``browser`` (drives Chromium). Select with ``-m "not video"`` for a fast run.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from fixtures.browser import browser  # noqa: F401 - Debian Chromium through Playwright
from fixtures.data import (  # noqa: F401 - fixtures and helpers used by the test modules
    CLIP,
    CLIP_FPS,
    DATA,
    LABELS,
    ROOT,
    WALKING,
    clip,
    clip_analysis,
    decode_rgb,
    encode_rgb,
    labels,
    match_events,
    mirrored_clip,
    need,
    raw_keypoints,
    raw_keypoints_csv,
    spurious_events,
    walking_analysis,
    write_transformed,
)
from fixtures.gait import gait_csv, gait_keypoints, make_gait_keypoints  # noqa: F401
from fixtures.schema_watch import schema_watch, schema_watch_base  # noqa: F401 - every analysis.json is validated

# benchmarks/accuracy.py is imported by tests/integration/test_accuracy.py as a module
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

VIDEO_FIXTURES = {"clip", "clip_analysis", "raw_keypoints", "raw_keypoints_csv", "walking_analysis", "mirrored_clip"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests that use a real clip as ``video`` (and ``slow``) and those using Chromium as ``browser``."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if VIDEO_FIXTURES & fixtures:
            item.add_marker(pytest.mark.video)
            item.add_marker(pytest.mark.slow)
        if "browser" in fixtures:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):  # noqa: ANN201
    """After each test body: every analysis.json written under the session's temporary folders
    follows the published schema (fixtures.schema_watch), else the test fails."""
    result = yield
    schema_watch.check()
    return result
