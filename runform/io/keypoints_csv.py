"""Keypoint CSV: ``time_s`` then ``<name>_x``, ``<name>_y`` and optional ``<name>_conf`` per landmark.

Names are MediaPipe's (``left_hip`` ... ``right_foot_index``); coordinates are image pixels with
y down; an empty cell or NaN is a missing landmark. This is both an input format (other tools'
data, tests without video) and runform's own ``keypoints.csv`` output.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from runform.errors import KeypointDataError
from runform.io.paths import read_table
from runform.model import REQUIRED_NAMES, Keypoints

#: Coordinates no larger than this are normalised to the frame (MediaPipe's own output), not pixels:
#: angles would come out distorted by the frame's aspect ratio (knee lift 36 instead of 22 deg).
NORMALISED_MAX = 2.0


def from_csv(path: str | Path) -> Keypoints:
    path = Path(path)
    table = read_table(path, ",", "a comma-separated table with a header row",
                       "export keypoints as CSV: time_s, <name>_x, <name>_y[, <name>_conf]")  # fmt: skip
    if str(table.columns[0]).strip().lower() == "scorer":  # DeepLabCut's three header rows
        raise KeypointDataError(
            f"{path.name} is a DeepLabCut CSV",
            expected="runform's keypoint CSV: one header row, time_s, then <name>_x, <name>_y[, <name>_conf]",
            found="DeepLabCut's header rows scorer / bodyparts / coords and frame numbers, no time",
            fix="convert it: time_s = frame / frame rate, <bodypart>_x, <bodypart>_y, <bodypart>_conf = likelihood, "
            "with MediaPipe landmark names (left_hip ... right_foot_index)",
        )
    if "time_s" not in table.columns:
        raise KeypointDataError(
            f"{path.name} has no time_s column",
            expected="columns time_s, left_hip_x, left_hip_y, ... (MediaPipe names, pixels)",
            found="columns " + ", ".join(map(str, table.columns[:6])) + ("..." if len(table.columns) > 6 else ""),
            fix="add a time_s column in seconds",
        )
    names = [c[:-2] for c in table.columns if c.endswith("_x") and f"{c[:-2]}_y" in table.columns]
    missing = [n for n in REQUIRED_NAMES if n not in names]
    if missing:
        raise KeypointDataError(
            f"{path.name} lacks landmarks the analysis needs",
            expected="x and y columns for " + ", ".join(REQUIRED_NAMES),
            found="missing " + ", ".join(missing),
            fix="name the columns <landmark>_x and <landmark>_y using MediaPipe landmark names",
        )
    try:
        data = table[["time_s"] + [f"{n}_{a}" for n in names for a in "xy"]].apply(pd.to_numeric, errors="raise")
    except (ValueError, TypeError) as exc:
        raise KeypointDataError(
            f"{path.name} contains non-numeric values", expected="numbers or empty cells", found=str(exc)[:80],
            fix="export the keypoints again, or clear the cells that are not numbers (an empty cell is a lost landmark)",
        ) from None
    xy = data.drop(columns="time_s").to_numpy(float).reshape(len(table), len(names), 2)
    conf = np.stack([
        pd.to_numeric(table[f"{n}_conf"], errors="coerce").to_numpy(float) if f"{n}_conf" in table else np.ones(len(table))
        for n in names
    ], axis=1) if names else np.zeros((len(table), 0))  # fmt: skip
    if not np.isfinite(xy).any():
        raise KeypointDataError(
            f"{path.name} has no usable coordinates", expected="numeric x/y values", found="only NaN or empty cells",
            fix="check the export; missing landmarks may be empty but not all of them",
        )
    empty = [n for i, n in enumerate(names) if n in REQUIRED_NAMES and not np.isfinite(xy[:, i]).any()]
    if empty:
        raise KeypointDataError(
            f"{path.name}: landmarks the analysis needs are empty in every row",
            expected="x and y values for " + ", ".join(REQUIRED_NAMES) + " in at least some rows",
            found="no value in any row for " + ", ".join(empty),
            fix="export those landmarks too (a tool that does not track the feet cannot time contacts)",
        )
    steps = np.diff(data["time_s"].to_numpy(float))
    steps = steps[np.isfinite(steps) & (steps > 0)]
    if len(steps) and np.median(steps) >= 1.0:  # under one sample a second: not seconds
        raise KeypointDataError(
            f"{path.name}: time_s does not look like seconds",
            expected="time_s in seconds (e.g. 0.033 between samples at 30 fps)",
            found=f"a median step of {np.median(steps):g} between rows",
            fix="time_s holds frame numbers: divide them by the frame rate (e.g. by 30 for 30 fps)"
            if np.median(steps) == 1.0 else "if the times are in milliseconds, divide them by 1000",
        )
    if np.nanmax(np.abs(xy)) <= NORMALISED_MAX:
        raise KeypointDataError(
            f"{path.name} has coordinates between 0 and 1, not pixels",
            expected="x and y in image pixels (y down), as runform's own keypoints.csv",
            found=f"every coordinate within +-{NORMALISED_MAX:g} (largest {np.nanmax(np.abs(xy)):.3g}): normalised to the frame",
            fix="multiply the x columns by the frame width and the y columns by the frame height in pixels",
        )
    _check_y_down(xy, names, path.name)
    return Keypoints(xy, conf, data["time_s"].to_numpy(float), tuple(names), source=f"csv:{path.name}")


def _check_y_down(xy: np.ndarray, names: list[str], name: str) -> None:
    """Image y grows downwards, so the ankles lie below (at larger y than) the hips; a file whose
    ankles sit above its hips counts y upwards (a plot's or a lab's convention)."""
    def median_y(part: str) -> float:
        columns = [names.index(f"{side}_{part}") for side in ("left", "right")]
        return float(np.nanmedian(xy[:, columns, 1]))

    hips, ankles = median_y("hip"), median_y("ankle")
    if np.isfinite(hips) and np.isfinite(ankles) and ankles < hips:
        raise KeypointDataError(
            f"{name}: y counts upwards (the ankles are above the hips)",
            expected="image pixels with y down (0 at the top of the frame)",
            found=f"median hip y {hips:.0f}, median ankle y {ankles:.0f}",
            fix="give y as frame height - y",
        )


def to_csv(kp: Keypoints, path: str | Path) -> None:
    columns: dict[str, np.ndarray] = {"time_s": np.round(kp.time_s, 6)}
    for i, name in enumerate(kp.names):
        columns[f"{name}_x"] = np.round(kp.xy_px[:, i, 0], 2)
        columns[f"{name}_y"] = np.round(kp.xy_px[:, i, 1], 2)
        columns[f"{name}_conf"] = np.round(kp.confidence[:, i], 3)
    pd.DataFrame(columns).to_csv(path, index=False)
