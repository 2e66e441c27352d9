"""Motion-capture loaders (RBDS, C3D, TRC), force-plate events and the virtual side camera."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import DATA, need
from hypothesis import given
from hypothesis import strategies as st
from scipy.spatial.transform import Rotation

import runform
from runform.config import Config
from runform.errors import KeypointDataError
from runform.events import force_events
from runform.io.mocap import carry_rigid, from_c3d, from_rbds_forces, from_rbds_joints, from_rbds_markers, from_trc
from runform.kinematics.sides import direction_sign
from runform.pose import load_keypoints
from runform.pose.virtual_camera import VirtualCamera

RBDS = DATA / "rbds"


@pytest.fixture(scope="module")
def joints():
    return from_rbds_joints(need(RBDS / "RBDS001runT35_joints.csv"))


def test_joints_csv_loads_at_150_hz(joints):
    assert joints.rate_hz == pytest.approx(150.0, rel=1e-4)  # the file's times are rounded to 0.1 ms
    assert joints.n_frames == 4500
    assert set(joints.names) == {f"{s}_{p}" for s in ("left", "right") for p in ("hip", "knee", "ankle", "heel", "foot_index")}


def test_marker_file_maps_to_keypoints_like_the_joints(joints):
    markers = from_rbds_markers(need(RBDS / "RBDS001runT35markers.txt"))
    assert markers.rate_hz == pytest.approx(150.0, rel=1e-4)  # from its Time column (rounded to 1 ms)
    heel = markers.point("right_heel")[:, :2]
    np.testing.assert_allclose(np.nanmedian(heel, axis=0), np.nanmedian(joints.point("right_heel")[:, :2], axis=0), atol=30)


@pytest.mark.parametrize("trial", ["RBDS001runT35", "RBDS003runT35", "RBDS019runT35"])
def test_marker_file_knee_and_ankle_come_from_the_static_calibration(trial):
    """A running trial has only marker plates on thigh and shank: the knee and ankle centres are
    calibrated in the subject's static trial and carried by the plates, as the joint-centre file's
    (rbds/README.md): within a few mm of it (its 10 Hz filter is the difference)."""
    markers = from_rbds_markers(need(RBDS / f"{trial}markers.txt"))
    joints = from_rbds_joints(need(RBDS / f"{trial}_joints.csv"))
    for name in ("right_knee", "left_knee", "right_ankle", "left_ankle"):
        distance = np.linalg.norm(markers.point(name) - joints.point(name)[: markers.n_frames], axis=1)
        assert np.nanmedian(distance) < 3.0 and np.nanpercentile(distance, 95) < 8.0, (name, np.nanmedian(distance))


def test_marker_file_without_its_static_trial_is_refused_clearly(tmp_path):
    copy = tmp_path / "RBDS001runT35markers.txt"
    copy.write_bytes(need(RBDS / "RBDS001runT35markers.txt").read_bytes())
    with pytest.raises(KeypointDataError) as info:
        from_rbds_markers(copy)
    error = info.value
    assert "static trial" in str(error) and "RBDS001static.txt" in error.found and "_joints.csv" in error.fix


@given(angles=st.tuples(*[st.floats(-3.1, 3.1)] * 3), shift=st.tuples(*[st.floats(-2000, 2000)] * 3),
       hidden=st.integers(-1, 3))  # fmt: skip
def test_carry_rigid_follows_any_rigid_motion(angles, shift, hidden):
    """A point carried by a rigid plate lands where the same rotation and shift put it, with any one
    of four markers missing; with two missing it is NaN."""
    rng = np.random.default_rng(0)
    fixed, point = rng.normal(0, 60, (4, 3)), rng.normal(0, 200, 3)
    rotation = Rotation.from_euler("xyz", angles).as_matrix()
    moving = (fixed @ rotation.T + shift)[None].repeat(2, axis=0)
    expected = rotation @ point + shift
    if hidden >= 0:
        moving[0, hidden] = np.nan
    moving[1, :2] = np.nan
    carried = carry_rigid(fixed, point, moving)
    np.testing.assert_allclose(carried[0], expected, atol=1e-6)
    assert np.isnan(carried[1]).all()


def test_force_plate_events_match_the_truth_file():
    events = force_events(from_rbds_forces(need(RBDS / "RBDS001runT35forces.txt")))
    truth = pd.read_csv(RBDS / "RBDS001runT35_events.csv")
    for kind in ("contact", "toe_off"):
        ours = events.loc[events["event"] == kind, "time_s"].to_numpy()
        theirs = truth.loc[truth["event"] == kind, "time_s"].to_numpy()
        nearest = np.array([np.min(np.abs(ours - t)) for t in theirs])
        assert np.median(nearest) < 0.002 and (nearest < 0.005).mean() > 0.95


def test_c3d_round_trip(tmp_path, joints):
    import ezc3d

    c3d = ezc3d.c3d()
    labels = ["RHJC", "RKJC", "RAJC", "RHEE", "RTOE", "LHJC", "LKJC", "LAJC", "LHEE", "LTOE"]
    names = ["right_hip", "right_knee", "right_ankle", "right_heel", "right_foot_index",
             "left_hip", "left_knee", "left_ankle", "left_heel", "left_foot_index"]  # fmt: skip
    points = np.ones((4, len(labels), 600))
    for i, name in enumerate(names):
        points[:3, i, :] = joints.point(name)[:600].T
    c3d["parameters"]["POINT"]["RATE"]["value"] = [150.0]
    c3d["parameters"]["POINT"]["LABELS"]["value"] = labels
    c3d["data"]["points"] = points
    c3d.write(str(tmp_path / "trial.c3d"))
    loaded = from_c3d(tmp_path / "trial.c3d")
    assert loaded.rate_hz == 150.0
    np.testing.assert_allclose(loaded.point("left_heel"), joints.point("left_heel")[:600], atol=1e-3)


def _write_trc(path, joints, n=300, unit="mm"):
    names = {"RHJC": "right_hip", "RKJC": "right_knee", "RAJC": "right_ankle", "RHEE": "right_heel", "RTOE": "right_foot_index",
             "LHJC": "left_hip", "LKJC": "left_knee", "LAJC": "left_ankle", "LHEE": "left_heel", "LTOE": "left_foot_index"}  # fmt: skip
    lines = ["PathFileType\t4\t(X/Y/Z)\ttrial.trc",
             "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames",
             f"150\t150\t{n}\t{len(names)}\t{unit}\t150\t1\t{n}",
             "Frame#\tTime\t" + "\t\t\t".join(names) + "\t\t",
             "\t\t" + "\t".join(f"X{i}\tY{i}\tZ{i}" for i in range(1, len(names) + 1))]  # fmt: skip
    for k in range(n):
        values = [f"{v / {'mm': 1, 'cm': 10, 'm': 1000}[unit]:.5f}" for kp in names.values() for v in joints.point(kp)[k]]
        lines.append(f"{k + 1}\t{k / 150:.4f}\t" + "\t".join(values))
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("unit", ["mm", "cm", "m"])
def test_trc_round_trip(tmp_path, joints, unit):
    """Each stated unit is read as such (centimetres were taken for millimetres: a 10x smaller runner)."""
    _write_trc(tmp_path / "trial.trc", joints, unit=unit)
    loaded = from_trc(tmp_path / "trial.trc")
    assert loaded.n_frames == 300 and loaded.rate_hz == 150.0
    np.testing.assert_allclose(loaded.point("right_knee"), joints.point("right_knee")[:300], atol=1e-2)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.trc", "PathFileType\t4\nnonsense\n", "not a valid TRC"),
        ("noise.trc", "\x01\x02\t.\t.\n" * 8, "not a valid TRC"),
        ("bad.c3d", "not a c3d file", "not a readable C3D"),
        ("bad.txt", "a\tb\n1\t2\n", "not an RBDS marker file"),
        ("forces.txt", "Time\tFx\tFy\tFz\n1\t0\t0\t0\n", "force file, not a marker file"),
        ("joints.csv", "time_s,right_hip_x_mm,right_hip_y_mm,right_hip_z_mm\n0,1,2,3\n0.1,1,2,3\n", "joint centres missing"),
    ],
    ids=["trc", "trc-not-text-of-one", "c3d", "txt", "forces-as-markers", "joints-missing-legs"],
)
def test_malformed_mocap_files(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(KeypointDataError, match=message):
        load_keypoints(path)


def test_virtual_camera_either_side(joints):
    right = VirtualCamera(side="right").project(joints)
    left = VirtualCamera(side="left").project(joints)
    assert direction_sign(right) == 1 and direction_sign(left) == -1
    # the near leg is nearer the camera: right leg from the right side
    assert np.nanmean(right.depth[:, right.index("right_ankle")]) < np.nanmean(right.depth[:, right.index("left_ankle")])
    assert right.sampling_rate_hz == pytest.approx(60.0)
    assert VirtualCamera(fps=30).project(joints).n_frames == pytest.approx(joints.n_frames / 5, abs=1)


def test_projected_mocap_runs_the_video_pipeline(tmp_path):
    analysis = runform.analyze(need(RBDS / "RBDS003runT35_joints.csv"), treadmill_speed_mps=3.5)
    assert analysis.source_kind == "motion-capture"
    assert analysis.overall_cadence_steps_per_min == pytest.approx(162.66, abs=0.5)
    assert analysis.summary["stride_length_m"]["value"] == pytest.approx(3.5 * 60 / 162.66 * 2, rel=0.02)
    assert analysis.summary["contact_time_s"]["uncertainty"] > 0
    assert analysis.summary["contact_time_s"]["mdc95"] > 0


def test_motion_capture_carries_its_scale_into_metres():
    """Projected motion capture knows its scale (the virtual camera's focal length over its
    distance): lengths come out in metres without --treadmill-speed, and the stride length is the
    belt's travel over a stride (RBDS001 at 3.5 m/s) within 2 %. An explicit belt speed still wins."""

    path = need(RBDS / "RBDS001runT35_joints.csv")
    analysis = runform.analyze(path, Config(write_report=False))
    assert analysis.calibration.method == "camera" and analysis.calibration.length_unit == "m"
    assert analysis.calibration.px_per_m == pytest.approx(VirtualCamera().px_per_m)
    assert not analysis.config.write_video  # no video to annotate: none recorded as written
    truth = json.loads((RBDS / "RBDS001runT35_truth.json").read_text())
    stride_s = np.mean([s["next_contact_s"] - s["contact_s"] for s in truth["per_stride"]])
    assert analysis.summary["stride_length_m"]["value"] == pytest.approx(3.5 * stride_s, rel=0.02)
    belt = runform.analyze(path, Config(write_report=False, treadmill_speed_mps=3.5))
    assert belt.calibration.method == "treadmill_speed"
    short = runform.analyze(path, Config(write_report=False, height_m=1.40))  # RBDS001 is 1.81 m: said, not used
    assert short.calibration.method == "camera" and "--height 1.40 m" in short.calibration.doubts[0][0]
    assert any(c.name == "scale" and c.verdict == "warn" for c in short.quality.checks)


def test_rows_missing_from_a_joints_file_keep_the_clock(tmp_path):
    """A second of rows dropped from RBDS001 at 3.5 m/s: the gap stays a gap (NaN frames), so the
    cadence and contact time match the whole file's; a semicolon copy is read the same way."""
    table = pd.read_csv(need(RBDS / "RBDS001runT35_joints.csv"))
    table.drop(index=range(2000, 2150)).to_csv(tmp_path / "gap_joints.csv", index=False)
    table.to_csv(tmp_path / "semicolon_joints.csv", sep=";", index=False)
    whole = from_rbds_joints(RBDS / "RBDS001runT35_joints.csv")
    gap = from_rbds_joints(tmp_path / "gap_joints.csv")
    assert gap.rate_hz == pytest.approx(whole.rate_hz) and len(gap.points_mm) == len(whole.points_mm)
    assert np.isnan(gap.points_mm[2000:2150]).all() and np.isfinite(gap.points_mm[2150]).all()
    assert len(from_rbds_joints(tmp_path / "semicolon_joints.csv").points_mm) == len(whole.points_mm)
    a, b = (runform.analyze(p, Config(write_report=False)) for p in (RBDS / "RBDS001runT35_joints.csv", tmp_path / "gap_joints.csv"))
    assert b.summary["cadence_steps_per_min"]["value"] == pytest.approx(a.summary["cadence_steps_per_min"]["value"], abs=0.5)
    assert b.summary["contact_time_s"]["value"] == pytest.approx(a.summary["contact_time_s"]["value"], abs=0.003)


def test_start_and_end_window_a_motion_capture_file():
    """--start/--end keep that part of a keypoint or motion-capture file (they were ignored): events
    fall inside it, and their frames still count from the file's first sample (150 Hz there, 60 Hz
    through the virtual camera)."""
    path = need(RBDS / "RBDS001runT35_joints.csv")
    part = runform.analyze(path, Config(write_report=False, start_s=10.0, end_s=20.0))
    times = part.events["time_s"]
    assert times.min() >= 10.0 and times.max() <= 20.0 and len(part.events) > 40
    assert (part.events["frame"] - np.round(times * part.keypoints.sampling_rate_hz)).abs().max() <= 1
    with pytest.raises(runform.errors.OptionError, match="--start 40 s is not within the file"):
        runform.analyze(path, Config(write_report=False, start_s=40.0))
    with pytest.raises(runform.errors.OptionError, match="no samples between --start 1.001 and --end 1.005"):
        runform.analyze(path, Config(write_report=False, start_s=1.001, end_s=1.005))  # between two 60 Hz samples


def _joints_table(trial: str = "RBDS001runT35") -> pd.DataFrame:
    return pd.read_csv(need(RBDS / f"{trial}_joints.csv")).iloc[:900]  # 6 s


def _write(table: pd.DataFrame, path) -> object:  # noqa: ANN001
    table.to_csv(path, index=False)
    return path


def _points(mocap) -> np.ndarray:  # noqa: ANN001
    return np.stack([mocap.point(n) for n in sorted(mocap.names)], axis=1)


def test_joint_csv_variants_give_the_same_points(tmp_path):
    """Extra unsided points, foot_index for toe, metres or centimetres, spaces after the commas and
    another lab frame (Z up, the runner along Y) all read as the same joints; the clock is kept."""
    table = _joints_table()
    reference = from_rbds_joints(_write(table, tmp_path / "ref.csv"))
    extra = table.assign(pelvis_x_mm=1.0, pelvis_y_mm=900.0, pelvis_z_mm=0.0, com_x_mm=0.0, com_y_mm=0.0, com_z_mm=0.0)
    foot_index = table.rename(columns=lambda c: c.replace("_toe_", "_foot_index_"))
    metres = table.rename(columns=lambda c: c.replace("_mm", "_m")).assign(**{c.replace("_mm", "_m"): table[c] / 1000 for c in table if c.endswith("_mm")})
    zup = table.copy()
    for c in [c for c in table if c.endswith("_x_mm")]:
        base = c[: -len("_x_mm")]
        # lab (X forward, Y up, Z right) -> (X right, Y forward, Z up): a right-handed turn
        zup[f"{base}_x_mm"], zup[f"{base}_y_mm"], zup[f"{base}_z_mm"] = table[f"{base}_z_mm"], table[f"{base}_x_mm"], table[f"{base}_y_mm"]
    spaced = tmp_path / "spaced.csv"
    spaced.write_text(_write(table, tmp_path / "plain.csv").read_text().replace(",", ", "))
    for name, variant in [("extra", extra), ("foot_index", foot_index), ("metres", metres), ("zup", zup), ("spaced", None)]:
        mocap = from_rbds_joints(spaced if variant is None else _write(variant, tmp_path / f"{name}.csv"))
        np.testing.assert_allclose(_points(mocap), _points(reference), atol=1e-6, err_msg=name)
    shifted = from_rbds_joints(_write(table.assign(time_s=table["time_s"] + 10.0), tmp_path / "later.csv"))
    assert shifted.time_s[0] == pytest.approx(10.0) and load_keypoints(tmp_path / "later.csv").time_s[0] == pytest.approx(10.0)


def test_motion_capture_is_seen_at_its_own_rate(tmp_path):
    table = _joints_table()
    assert load_keypoints(_write(table, tmp_path / "j150.csv")).sampling_rate_hz == pytest.approx(150.0, rel=1e-3)
    assert load_keypoints(_write(table.iloc[::5], tmp_path / "j30.csv")).sampling_rate_hz == pytest.approx(30.0, rel=1e-3)


def test_lengths_that_are_not_millimetres_are_refused(tmp_path):
    table = _joints_table()
    metres = table.assign(**{c: table[c] / 1000 for c in table if c.endswith("_mm")})
    with pytest.raises(KeypointDataError, match="do not look like millimetres") as info:
        from_rbds_joints(_write(metres, tmp_path / "m.csv"))
    assert "multiply by 1000" in info.value.fix


def test_marker_file_rate_and_clock_come_from_its_time_column(tmp_path):
    """An RBDS-format marker file at 75 Hz (every other row) is read at 75 Hz, not the 150 Hz of RBDS."""
    lines = need(RBDS / "RBDS001runT35markers.txt").read_text().splitlines()
    (tmp_path / "RBDS001runT35markers.txt").write_text("\n".join([lines[0], *lines[1::2]]) + "\n")
    (tmp_path / "RBDS001static.txt").write_bytes(need(RBDS / "RBDS001static.txt").read_bytes())
    half = from_rbds_markers(tmp_path / "RBDS001runT35markers.txt")
    full = from_rbds_markers(RBDS / "RBDS001runT35markers.txt")
    assert half.rate_hz == pytest.approx(75.0, rel=1e-3)
    np.testing.assert_allclose(half.point("right_knee")[:100], full.point("right_knee")[:200:2], atol=1e-6)


@pytest.mark.parametrize("runner", ["002", "007", "012", "017", "022", "024"])  # held-out runners
def test_step_length_in_metres_is_validated_and_covers_the_truth(runner):
    """Motion capture's own scale leaves the running speed read from the pose: the step length's ±
    carries its error and the step time's (it held the stride spread alone: ±0.004 m against a
    1.1 % error on RBDS001), and covers belt speed x true step time."""
    trial = f"RBDS{runner}runT35"
    truth = json.loads(need(RBDS / f"{trial}_truth.json").read_text())
    entry = runform.analyze(RBDS / f"{trial}_joints.csv", Config(write_report=False)).summary["step_length_m"]
    true_step_m = truth["belt_speed_m_per_s"] * truth["temporal"]["step_time_s"]["mean"]
    assert entry["validated"] and 0.01 < entry["uncertainty"] < 0.06
    assert abs(entry["value"] - true_step_m) <= entry["uncertainty"], (entry["value"], true_step_m, entry["uncertainty"])


def test_every_rbds_trial_at_the_slowest_speed_keeps_its_own_lab_frame():
    """RBDS is already X forward, Y up: no trial may be turned. At 2.5 m/s the mean of the two heels
    hardly moves fore and aft (they swing in opposite phase), which once turned RBDS001 and RBDS010
    sideways; each heel's own swing tells the forward axis."""
    trials = sorted(need(RBDS).glob("RBDS*runT25_joints.csv"))
    assert len(trials) == 20
    for path in trials:
        table = pd.read_csv(path, usecols=["right_heel_x_mm", "right_heel_y_mm", "right_heel_z_mm"])
        heel = from_rbds_joints(path).point("right_heel")
        np.testing.assert_allclose(heel, table.to_numpy()[: len(heel)], err_msg=path.name)
