"""The one definition of runform's colours: each leg's colour (plots, skeleton overlays, the report's
text, the web app's trend charts) and the reference band's. Left is always blue, right always orange."""

from __future__ import annotations

__all__ = ["BAND_HEX", "SIDE_HEX", "SIDE_RGB", "hex_rgb"]

#: Each leg's colour as ``#rrggbb``.
SIDE_HEX = {"left": "#1f6fb4", "right": "#f08a24"}
#: The reference band (an event profile's knee-lift band, a finding's threshold).
BAND_HEX = "#2ca02c"


def hex_rgb(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` as an (r, g, b) tuple of 0-255."""
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


#: Each leg's colour as (r, g, b), for drawing on video frames.
SIDE_RGB = {side: hex_rgb(colour) for side, colour in SIDE_HEX.items()}
