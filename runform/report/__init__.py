"""Presentation: the self-contained HTML report, its plots and key frames, and the annotated video.

The names below are loaded on first use, so that a light module of this package (``palette``, the
colours the web app's charts share) does not import Matplotlib, OpenCV and Jinja2 with it."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from runform.report.diagnostic import DIAGNOSTIC_FILE, write_diagnostic
    from runform.report.html import render_comparison, render_report, write_report
    from runform.report.keyframes import KeyFrameGrabber
    from runform.report.video import MAX_LONG_SIDE_PX, write_annotated_video

_HOME = {"DIAGNOSTIC_FILE": "diagnostic", "write_diagnostic": "diagnostic", "render_comparison": "html", "render_report": "html",
         "write_report": "html", "KeyFrameGrabber": "keyframes", "MAX_LONG_SIDE_PX": "video", "write_annotated_video": "video"}  # fmt: skip

__all__ = ["DIAGNOSTIC_FILE", "MAX_LONG_SIDE_PX", "KeyFrameGrabber", "render_comparison", "render_report", "write_annotated_video", "write_diagnostic", "write_report"]


def __getattr__(name: str):  # noqa: ANN202 - PEP 562: the exported names, imported when first asked for
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
    globals()[name] = value
    return value
