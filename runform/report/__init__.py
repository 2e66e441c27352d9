"""Presentation: the self-contained HTML report, its plots and key frames, and the annotated video."""

from runform.report.diagnostic import DIAGNOSTIC_FILE, write_diagnostic
from runform.report.html import render_comparison, render_report, write_report
from runform.report.keyframes import KeyFrameGrabber
from runform.report.video import MAX_LONG_SIDE_PX, write_annotated_video

__all__ = ["DIAGNOSTIC_FILE", "MAX_LONG_SIDE_PX", "KeyFrameGrabber", "render_comparison", "render_report", "write_annotated_video", "write_diagnostic", "write_report"]
