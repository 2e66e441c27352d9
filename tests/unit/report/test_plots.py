"""The report's plots leave Matplotlib's global state alone (no backend switch, no rcParams change,
no pyplot figures) and can be drawn from several threads at once (the web compare page)."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import matplotlib

from runform.report import plots

CURVES = {"thigh_angle_deg": {side: {"mean": [10.0 + i] * 101, "sd": [1.0] * 101, "n": 3, "toe_off_pct": 40.0}
                              for i, side in enumerate(("left", "right"))}}  # fmt: skip


def test_importing_and_drawing_leave_the_host_processs_matplotlib_alone() -> None:
    code = (
        "import sys, matplotlib\n"
        "matplotlib.use('svg'); matplotlib.rcParams['font.size'] = 13.0\n"
        "from runform.report import plots\n"
        f"svg = plots.cycle_plot({CURVES!r}, 'thigh_angle_deg', 'thigh (deg)')\n"
        "print(matplotlib.get_backend(), matplotlib.rcParams['font.size'], matplotlib.rcParams['svg.fonttype'],"
        " 'matplotlib.pyplot' in sys.modules, 'font-size: 9px' in svg, 'font-size: 13px' in svg)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["svg", "13.0", "path", "False", "True", "False"]  # the report's style only in its plots


def test_plots_drawn_in_threads_are_those_drawn_one_by_one() -> None:
    with matplotlib.rc_context({"svg.hashsalt": "runform-test"}):  # the SVG's ids repeat from run to run
        settings = dict(matplotlib.rcParams)
        alone = plots.cycle_plot(CURVES, "thigh_angle_deg", "thigh (deg)", band=(5.0, 15.0))
        with ThreadPoolExecutor(4) as pool:
            drawn = list(pool.map(lambda _: plots.cycle_plot(CURVES, "thigh_angle_deg", "thigh (deg)", band=(5.0, 15.0)), range(8)))
        assert all(svg == alone for svg in drawn)
        assert dict(matplotlib.rcParams) == settings
