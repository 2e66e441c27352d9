"""Motion-capture loaders: RBDS marker/force/joint files, C3D (ezc3d) and OpenSim TRC.

Each returns a :class:`~runform.model.MotionCapture` whose points carry keypoint names
(``right_hip`` ... ``left_foot_index``) in the lab frame of ``runform.model.mocap`` (X forward, Y up,
Z right, mm). Marker sets are mapped to keypoints by :data:`MARKER_MAPS`; a file whose markers
cannot be mapped gets a clear :class:`KeypointDataError`.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import numpy as np
import pandas as pd

from runform.errors import KeypointDataError
from runform.io.paths import read_table
from runform.io.registry import register_loader
from runform.model import LEG_PARTS, SIDES, MotionCapture, frame_interval_s, mean_of_known

logger = logging.getLogger(__name__)

#: keypoint part -> candidate marker names per side (``{s}`` = R/L; first complete option wins;
#: several names are averaged). RBDS running markers and Plug-in Gait names.
MARKER_MAPS: dict[str, list[list[str]]] = {
    "hip": [["{s}HJC"], ["{s}.HJC"], ["{s}.Hip"], ["{s}GTR"], ["{s}.GTR"]],
    "knee": [["{s}KJC"], ["{s}KNE", "{s}KNM"], ["{s}KNE"], ["{s}.Knee", "{s}.Knee.Medial"], ["{s}.Knee"]],
    "ankle": [["{s}AJC"], ["{s}ANK", "{s}MED"], ["{s}ANK"], ["{s}.Ankle", "{s}.Ankle.Medial"], ["{s}.Ankle"]],
    "heel": [["{s}HEE"], ["{s}.Heel.Bottom"], ["{s}.Heel"]],
    "foot_index": [["{s}TOE"], ["{s}.MT1", "{s}.MT5"], ["{s}MT1", "{s}MT5"], ["{s}.Toe"]],
}  # fmt: skip
#: RBDS running trials carry rigid marker plates on thigh and shank, not anatomical markers: the
#: knee (epicondyles) and ankle (malleoli) are calibrated in the subject's static trial and carried
#: into each running frame by the plates (rbds/README.md, "Joint centres"). Segment -> plate markers.
RBDS_CLUSTERS = {
    "Thigh": ("Thigh.Top.Lateral", "Thigh.Bottom.Lateral", "Thigh.Top.Medial", "Thigh.Bottom.Medial"),
    "Shank": ("Shank.Top.Lateral", "Shank.Bottom.Lateral", "Shank.Top.Medial", "Shank.Bottom.Medial"),
}
#: Landmark -> (its static markers, the plates that carry it; the knee's two estimates averaged).
RBDS_LANDMARKS = {"knee": (("Knee", "Knee.Medial"), ("Thigh", "Shank")), "ankle": (("Ankle", "Ankle.Medial"), ("Shank",))}


def _map_markers(data: dict[str, np.ndarray], rate_hz: float, source: str, start_s: float = 0.0) -> MotionCapture:
    points, names, missing = [], [], []
    for side, letter in zip(SIDES, ("L", "R")):
        for part in LEG_PARTS:
            trajectory = _mapped(data, part, letter)
            if trajectory is None and part == "hip":
                trajectory = _harrington_hip(data, letter)
            if trajectory is None:
                missing.append(f"{side}_{part}")
                continue
            points.append(trajectory)
            names.append(f"{side}_{part}")
    if missing:
        raise _MissingLandmarks(
            missing,
            f"{source}: cannot map markers to the landmarks the analysis needs",
            expected="markers such as RHEE/LHEE, RTOE/LTOE, RANK/LANK, RKNE/LKNE, RASI/LASI/RPSI/LPSI (or RBDS names)",
            found="no markers for " + ", ".join(missing) + "; file has " + ", ".join(sorted(data)[:12]),
            fix="rename the markers or export joint centres",
        )
    stacked = _lab_frame(np.stack(points, axis=1), tuple(names), source)
    return MotionCapture(stacked, tuple(names), rate_hz, source, start_s)


class _MissingLandmarks(KeypointDataError):
    """No marker maps to some landmarks (``missing``: their keypoint names)."""

    def __init__(self, missing: list[str], problem: str, **parts: str) -> None:
        super().__init__(problem, **parts)
        self.missing = missing


def _lab_frame(points: np.ndarray, names: tuple[str, ...], source: str) -> np.ndarray:
    """The points in runform's lab frame (X forward, Y up, Z the runner's right; mm), whatever the
    file's axes (a Z-up C3D, a runner along Y): up is the axis along which the hips sit above the
    heels, forward the other axis along which each heel swings most, pointing from heel to toe. The
    hips must sit 0.3-2 m above the heels in millimetres; other lengths are refused (units)."""
    def mean_of(part: str) -> np.ndarray:
        return mean_of_known(np.stack([points[:, names.index(f"{side}_{part}")] for side in SIDES]))

    hips, heels, toes = mean_of("hip"), mean_of("heel"), mean_of("foot_index")
    known = np.isfinite(hips).all(axis=1) & np.isfinite(heels).all(axis=1) & np.isfinite(toes).all(axis=1)
    if known.sum() < 2:
        return points  # too little to tell; later checks say what is missing
    rise = np.median(hips[known] - heels[known], axis=0)
    up = int(np.argmax(np.abs(rise)))
    if not 300 <= abs(rise[up]) <= 2000:
        raise KeypointDataError(
            f"{source}: the lengths do not look like millimetres",
            expected="millimetres (the hips about 0.6-1.1 m above the heels), or a file that states its unit",
            found=f"the hips {abs(rise[up]):.4g} units above the heels",
            fix="give millimetres (metres: multiply by 1000; a joint CSV may name its columns _x_m or _x_cm instead)",
        )
    # each heel on its own: the two swing in opposite phase, so their mean hardly moves fore and aft
    relative = np.concatenate([points[known, names.index(f"{side}_heel")] - hips[known] for side in SIDES])
    spread = np.nanpercentile(relative, 95, axis=0) - np.nanpercentile(relative, 5, axis=0)
    spread[up] = -np.inf
    forward = int(np.argmax(spread))
    axes = np.eye(3)
    x = axes[forward] * np.sign(np.median(toes[known] - heels[known], axis=0)[forward] or 1.0)
    y = axes[up] * np.sign(rise[up])
    rotation = np.stack([x, y, np.cross(x, y)])
    if np.allclose(rotation, axes):
        return points
    logger.info("%s: axes turned to X forward, Y up (the file's forward axis %d, up axis %d)", source, forward, up)
    return points @ rotation.T


def _mapped(data: dict[str, np.ndarray], part: str, letter: str) -> np.ndarray | None:
    """The trajectory of one side's (``letter`` R/L) keypoint ``part`` from the first complete
    option of :data:`MARKER_MAPS`, or None."""
    return _first_complete(data, [[n.format(s=letter) for n in option] for option in MARKER_MAPS[part]])


def _first_complete(data: dict[str, np.ndarray], options: list[list[str]]) -> np.ndarray | None:
    for option in options:
        if all(name in data for name in option):
            return mean_of_known(np.stack([data[name] for name in option]))
    return None


def _harrington_hip(data: dict[str, np.ndarray], letter: str) -> np.ndarray | None:
    """Hip joint centre from the pelvis markers, per frame (Harrington et al. 2007, J Biomech 40:595)."""
    names = {k: None for k in ("RASI", "LASI", "RPSI", "LPSI")}
    for key in names:
        for candidate in (key, f"{key[0]}.{'ASIS' if 'AS' in key else 'PSIS'}"):
            if candidate in data:
                names[key] = data[candidate]
    if any(v is None for v in names.values()):
        return None
    rasi, lasi, rpsi, lpsi = names["RASI"], names["LASI"], names["RPSI"], names["LPSI"]
    mid_asis, mid_psis = (rasi + lasi) / 2, (rpsi + lpsi) / 2
    z = rasi - lasi
    width = np.linalg.norm(z, axis=1, keepdims=True)
    z = z / width
    x = mid_asis - mid_psis
    depth = np.linalg.norm(x, axis=1, keepdims=True)
    x = x - np.sum(x * z, axis=1, keepdims=True) * z
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    y = np.cross(z, x)
    sign = 1.0 if letter == "R" else -1.0
    return mid_asis + (-0.24 * depth - 9.9) * x + (-0.30 * width - 10.9) * y + sign * (0.33 * width + 7.3) * z


def _columns_xyz(table: pd.DataFrame, suffixes: tuple[str, str, str]) -> dict[str, np.ndarray]:
    out = {}
    for col in table.columns:
        if col.endswith(suffixes[0]):
            base = col[: -len(suffixes[0])]
            cols = [base + s for s in suffixes]
            if all(c in table.columns for c in cols):
                out[base] = table[cols].to_numpy(float)
    return out


@register_loader(".txt")
def from_rbds_markers(path: Path) -> MotionCapture:
    """RBDS ``*markers.txt``: tab-separated, ``Time`` (s) then ``<marker>X/Y/Z`` in mm (150 Hz in
    RBDS; the rate and the clock are read from ``Time``). A running trial's knee and ankle come from
    the subject's static trial (:func:`_rbds_joint_centres`)."""
    table = read_table(path, "\t")
    if {"Time", "Fy"} <= set(table.columns):
        raise KeypointDataError(
            f"{path.name} is an RBDS force file, not a marker file",
            expected="a *markers.txt file (positions) to analyse",
            found="force columns Fx, Fy, Fz",
            fix="analyse the matching *markers.txt; forces give the truth events (runform.events.force_events)",
        )
    if "Time" not in table.columns or not any(c.endswith("X") for c in table.columns):
        raise KeypointDataError(
            f"{path.name} is not an RBDS marker file",
            expected="tab-separated columns Time, <marker>X, <marker>Y, <marker>Z",
            found="columns " + ", ".join(map(str, table.columns[:5])),
            fix="use a *markers.txt file of the Running Biomechanics Data Set, or export C3D/TRC",
        )
    rate, data, start = on_uniform_grid(table["Time"].to_numpy(float), _columns_xyz(table, ("X", "Y", "Z")), path.name)
    if _plates_only(data):  # a running trial: the knee and ankle from the static calibration
        data.update(_rbds_joint_centres(data, _rbds_static(path)))
    return _map_markers(data, rate, f"rbds-markers:{path.name}", start)


def _plates_only(data: dict[str, np.ndarray]) -> bool:
    """The knee or ankle of a side cannot be mapped from the markers, but that side's RBDS thigh
    and shank plates are there to carry them."""
    for letter in ("R", "L"):
        plates = all(f"{letter}.{m}" in data for plate in RBDS_CLUSTERS.values() for m in plate)
        if plates and any(_mapped(data, part, letter) is None for part in ("knee", "ankle")):
            return True
    return False


def _rbds_static(path: Path) -> dict[str, np.ndarray]:
    """Mean static-trial positions (mm) of the subject's markers, from ``RBDSnnnstatic.txt`` beside
    a running trial ``RBDSnnnrunT..markers.txt``."""
    subject = re.match(r"(RBDS\d+)", path.name, flags=re.IGNORECASE)
    static = path.with_name(f"{subject.group(1)}static.txt") if subject else None
    if static is None or not static.is_file():
        raise KeypointDataError(
            f"{path.name}: the knee and ankle need the subject's static trial",
            expected="RBDSnnnstatic.txt beside the running trial (its knee and ankle markers calibrate the thigh and shank plates)",
            found=f"no {static.name if static else 'static trial'} in {path.parent}; the running trial has only marker plates on thigh and shank",
            fix="put the subject's static file beside it, or analyse the joint-centre file (RBDSnnnrunTvv_joints.csv)",
        )  # fmt: skip
    table = read_table(static, "\t")
    return {name: mean_of_known(xyz) for name, xyz in _columns_xyz(table, ("X", "Y", "Z")).items()}


def _rbds_joint_centres(running: dict[str, np.ndarray], static: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Knee and ankle centres per running frame: each landmark (the mid-point of its two static
    markers) carried by its plates' rigid-body fit (:func:`carry_rigid`); ``R.Knee`` etc. (mm)."""
    out = {}
    for letter in ("R", "L"):
        for landmark, (markers, plates) in RBDS_LANDMARKS.items():
            names = [f"{letter}.{m}" for m in markers]
            if not all(n in static for n in names):
                continue
            point = np.mean([static[n] for n in names], axis=0)
            carried = []
            for plate in plates:
                cluster = [f"{letter}.{m}" for m in RBDS_CLUSTERS[plate]]
                if all(c in static and c in running for c in cluster):
                    fixed = np.stack([static[c] for c in cluster])
                    carried.append(carry_rigid(fixed, point, np.stack([running[c] for c in cluster], axis=1)))
            if carried:
                out[f"{letter}.{landmark.capitalize()}"] = mean_of_known(np.stack(carried))
    return out


def carry_rigid(fixed: np.ndarray, point: np.ndarray, moving: np.ndarray) -> np.ndarray:
    """Where ``point`` goes in each frame when the markers ``fixed`` (k, 3) move to ``moving``
    (n, k, 3): the least-squares rigid-body fit of the visible markers (Kabsch/SVD; Söderkvist &
    Wedin 1993), at least 3 of them; NaN otherwise."""
    out = np.full((len(moving), 3), np.nan)
    visible = np.isfinite(moving).all(axis=2)
    for pattern in np.unique(visible, axis=0):
        if pattern.sum() < 3:
            continue
        rows = (visible == pattern).all(axis=1)
        p, q = fixed[pattern], moving[rows][:, pattern]
        p_mean, q_mean = p.mean(axis=0), q.mean(axis=1)
        h = np.einsum("ki,rkj->rij", p - p_mean, q - q_mean[:, None])  # cross-covariance per frame
        u, _, vt = np.linalg.svd(h)
        d = np.sign(np.linalg.det(np.einsum("rji,rkj->rik", vt, u)))  # det(V U^T): no reflection
        vt[:, 2] *= d[:, None]
        rotation = np.einsum("rji,rkj->rik", vt, u)  # V diag(1, 1, d) U^T
        out[rows] = q_mean + np.einsum("rij,j->ri", rotation, point - p_mean)
    return out


#: A joint-centre CSV's column units (``right_hip_x_mm``, ``_cm``, ``_m``) in millimetres.
JOINT_UNITS_MM = {"mm": 1.0, "cm": 10.0, "m": 1000.0}
#: A joint-centre CSV's point names -> the marker names :data:`MARKER_MAPS` maps.
JOINT_MARKERS = {"hip": "HJC", "knee": "KJC", "ankle": "AJC", "heel": "HEE", "toe": "TOE", "foot_index": "TOE"}
JOINT_COLUMNS = "time_s, then {right,left}_{hip,knee,ankle,heel,toe}_{x,y,z}_mm (or _cm, _m)"


def from_rbds_joints(path: Path) -> MotionCapture:
    """Joint-centre CSV (:data:`JOINT_COLUMNS`; ``foot_index`` for ``toe`` too); other columns
    (a pelvis, the centre of mass) are left out. The file's clock is kept."""
    table = read_table(path, ",")
    if "time_s" not in table.columns:
        raise KeypointDataError(f"{path.name} has no time_s column", expected=f"columns {JOINT_COLUMNS}",
                                found="columns " + ", ".join(map(str, table.columns[:4])),
                                fix="save the joint centres as a comma-separated table with a time_s column")  # fmt: skip
    renamed = {}
    for unit, mm in JOINT_UNITS_MM.items():
        for name, values in _columns_xyz(table, (f"_x_{unit}", f"_y_{unit}", f"_z_{unit}")).items():
            side, _, part = name.partition("_")
            if side in SIDES and part in JOINT_MARKERS:
                renamed[("L" if side == "left" else "R") + JOINT_MARKERS[part]] = values * mm
    rate, renamed, start = on_uniform_grid(table["time_s"].to_numpy(float), renamed, path.name)
    try:
        return _map_markers(renamed, rate, f"mocap-joints:{path.name}", start)
    except _MissingLandmarks as exc:  # said in the file's own column names
        missing = ", ".join(name.replace("foot_index", "toe") for name in exc.missing)
        raise KeypointDataError(f"{path.name}: joint centres missing", expected=f"columns {JOINT_COLUMNS}",
                                found=f"no columns for {missing}",
                                fix="add the missing joints' x, y, z columns (named as expected)") from None  # fmt: skip


def on_uniform_grid(t: np.ndarray, data: dict[str, np.ndarray], name: str) -> tuple[float, dict[str, np.ndarray], float]:
    """(rate in Hz, the trajectories on an evenly spaced time grid, its first time in s): rows missing from the file (a
    gap in ``time_s``) become NaN frames instead of closing up, so the clock stays true. The step is
    :func:`~runform.model.frame_interval_s` (the mean of the regular steps: the file's times are
    rounded, RBDS's 1/150 s reads 0.0066 or 0.0067), the rate the frames over the whole span."""
    keep = np.isfinite(t)
    t = t[keep]
    if len(t) < 2:
        return float("nan"), {k: v[keep] for k, v in data.items()}, float(t[0]) if len(t) else 0.0
    step = frame_interval_s(t)
    if not step > 0:
        raise KeypointDataError(f"{name}: time_s does not increase", expected="rows in time order, one per sample",
                                found=f"median time step {step:g} s", fix="sort the rows by time_s")  # fmt: skip
    index = np.round((t - t[0]) / step).astype(int)
    if np.any(np.diff(index) <= 0):
        raise KeypointDataError(f"{name}: time_s is not evenly sampled", expected=f"one row every {step:g} s (gaps allowed)",
                                found="rows closer together than the time step, or out of order",
                                fix="export at one constant rate")  # fmt: skip
    grid = {}
    for key, values in data.items():
        full = np.full((index[-1] + 1, *values.shape[1:]), np.nan)
        full[index] = values[keep]
        grid[key] = full
    return index[-1] / float(t[-1] - t[0]), grid, float(t[0])


#: Millimetres per length unit a TRC or C3D file may state.
MM_PER_UNIT = {"mm": 1.0, "millimeter": 1.0, "millimetre": 1.0, "cm": 10.0, "centimeter": 10.0, "centimetre": 10.0,
               "m": 1000.0, "meter": 1000.0, "metre": 1000.0}  # fmt: skip


def mm_per_unit(unit: object, name: str) -> float:
    """Millimetres per the file's stated length unit (mm, cm or m); another unit is refused."""
    key = str(unit).strip().lower().removesuffix("s") or "mm"  # no unit stated: C3D's and TRC's usual mm
    if key not in MM_PER_UNIT:
        raise KeypointDataError(f"{name}: unknown length unit {unit!r}", expected="mm, cm or m", found=str(unit),
                                fix="export the markers in millimetres or metres")  # fmt: skip
    return MM_PER_UNIT[key]


def is_joints_csv(path: Path) -> bool:
    with open(path, encoding="utf-8", errors="replace") as handle:
        header = handle.readline()
    return "time_s" in header and re.search(r"_x_(mm|cm|m)\s*(,|$)", header) is not None


@register_loader(".trc")
def from_trc(path: Path) -> MotionCapture:
    """OpenSim TRC: 3 header lines, a marker-name row, an X1/Y1/Z1 row, then Frame#, Time, data.
    Any axes (:func:`_lab_frame`); units from the header (mm, cm or m); the clock from Time."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        keys, values = lines[1].split("\t"), lines[2].split("\t")
        header = dict(zip(keys, values))
        rate = float(header.get("DataRate", header.get("CameraRate", "nan")))
        scale = mm_per_unit(header.get("Units", "mm"), path.name)
        markers = [m for m in lines[3].split("\t")[2:] if m.strip()]
        if not markers or not lines[0].lstrip("\ufeff").startswith("PathFileType"):
            raise ValueError("no TRC header")
        rows = [list(map(_float, line.split("\t")[2 : 2 + 3 * len(markers)])) for line in lines[5:] if line.strip()]
        array = np.array(rows, dtype=float).reshape(len(rows), len(markers), 3) * scale
        first_row = next((line.split("\t") for line in lines[5:] if line.strip()), ["", "0"])
        start = _float(first_row[1]) if len(first_row) > 1 else 0.0
    except (IndexError, ValueError, KeyError) as exc:
        raise KeypointDataError(
            f"{path.name} is not a valid TRC file",
            expected="OpenSim TRC: header with DataRate and Units, marker names, X1 Y1 Z1 row, data rows",
            found=type(exc).__name__,
            fix="export the markers again as TRC from OpenSim or your capture software",
        ) from None
    start = start if np.isfinite(start) else 0.0
    return _map_markers({m.strip(): array[:, i] for i, m in enumerate(markers)}, rate, f"trc:{path.name}", start)


@register_loader(".c3d")
def from_c3d(path: Path) -> MotionCapture:
    """C3D via ezc3d; any axes (turned to X forward, Y up by :func:`_lab_frame`)."""
    import ezc3d

    try:
        c3d = ezc3d.c3d(str(path))
        labels = c3d["parameters"]["POINT"]["LABELS"]["value"]
        rate = float(c3d["parameters"]["POINT"]["RATE"]["value"][0])
        units = (c3d["parameters"]["POINT"].get("UNITS", {}).get("value") or ["mm"])[0]
        points = np.asarray(c3d["data"]["points"][:3], dtype=float)  # (3, P, T)
    except Exception as exc:  # noqa: BLE001 - ezc3d raises plain RuntimeError/IOError on bad files
        raise KeypointDataError(
            f"{path.name} is not a readable C3D file", expected="a C3D motion-capture file", found=str(exc)[:80],
            fix="export it again from the capture software",
        ) from None
    scale = mm_per_unit(units, path.name)
    # "Subject01:RHEE" (Vicon's labels carry the subject's name) is RHEE
    data = {label.strip().rsplit(":", 1)[-1]: points[:, i, :].T * scale for i, label in enumerate(labels)}
    return _map_markers(data, rate, f"c3d:{path.name}")


def from_rbds_forces(path: Path) -> pd.DataFrame:
    """RBDS ``*forces.txt``: ``Time`` (sample 1...), Fx, Fy (vertical), Fz in N at 300 Hz.
    Returns ``time_s`` and ``vertical_force_n``."""
    table = read_table(path, "\t")
    if not {"Time", "Fy"} <= set(table.columns):
        raise KeypointDataError(
            f"{path.name} is not an RBDS force file", expected="columns Time, Fx, Fy, Fz, COPx, ...",
            found=", ".join(map(str, table.columns[:5])), fix="give the trial's RBDS forces file (e.g. RBDS001runT35forces.txt)",
        )  # fmt: skip
    return pd.DataFrame({"time_s": (table["Time"].to_numpy(float) - 1) / 300.0, "vertical_force_n": table["Fy"].to_numpy(float)})


def _float(text: str) -> float:
    return float(text) if text.strip() else float("nan")
