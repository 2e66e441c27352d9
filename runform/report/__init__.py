"""Presentation: the self-contained HTML report, its plots and key frames, and the annotated video."""

from runform.report.html import render_comparison, render_report, write_report
from runform.report.video import write_annotated_video

__all__ = ["render_comparison", "render_report", "write_annotated_video", "write_report"]
