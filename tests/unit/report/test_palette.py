"""One palette: the plots, the video overlay, the report's text and the web app's trend charts draw
each leg in the same colour."""

import subprocess
import sys

from runform.report import overlay, plots
from runform.report.palette import BAND_HEX, SIDE_HEX, hex_rgb
from runform.web.trends import svg_plot


def test_every_drawing_uses_the_palette() -> None:
    curves = {"thigh_angle_deg": {side: {"mean": [10.0] * 101, "sd": [1.0] * 101, "n": 3, "toe_off_pct": 40.0} for side in SIDE_HEX}}
    plot = plots.cycle_plot(curves, "thigh_angle_deg", "thigh (deg)", band=(5.0, 15.0)).lower()
    metric = {"label": "Knee lift", "unit": "deg", "band": {"low": 5.0, "high": 15.0, "source": "profile"},
              "series": [{"side": side, "points": [{"session_id": 1, "date": "2026-11-01", "value": 10.0, "uncertainty": 1.0, "mdc95": None}]}
                         for side in SIDE_HEX]}  # fmt: skip
    chart = svg_plot(metric).lower()
    for side, colour in SIDE_HEX.items():
        assert colour in plot and colour in chart, side
        assert overlay.RGB[side] == hex_rgb(colour)
    assert BAND_HEX in plot and BAND_HEX in chart
    assert hex_rgb("#1f6fb4") == (31, 111, 180)


def test_palette_is_light_for_the_web_app() -> None:
    """The web app imports the palette without the report's Matplotlib, OpenCV and Jinja2."""
    code = "import sys, runform.report.palette; print(sorted(m for m in ('matplotlib', 'cv2', 'jinja2') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
