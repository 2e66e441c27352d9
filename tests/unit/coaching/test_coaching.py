"""Event-aware coaching: profiles, findings (and their absence inside noise), programme, retest."""

from __future__ import annotations

import copy
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from runform.cli import app
from runform.coaching import STEP_METRIC, coach, findings
from runform.coaching.compare import compare, readable_finding
from runform.coaching.profiles import load

EMPTY = pd.DataFrame(columns=["contact_frame"])


def metric(value, uncertainty=0.5, left=None, right=None, si=None, mdc=1.0):
    return {"value": value, "median": value, "uncertainty": uncertainty, "mdc95": mdc, "n": 10, "iqr": 1.0,
            "left": {"median": left if left is not None else value, "n": 5},
            "right": {"median": right if right is not None else value, "n": 5},
            "symmetry_index_pct": si, "left_minus_right": None if left is None else left - right, "reliable": True}  # fmt: skip


def neutral(profile: str = "distance") -> dict:
    """A summary that triggers nothing for the profile."""
    return {
        "max_thigh_angle_deg": metric(75.0 if profile == "sprint" else 45.0), "hip_extension_at_toe_off_deg": metric(20.0),
        "thigh_peak_velocity_pct_swing": metric(40.0), "shank_angle_at_contact_deg": metric(4.0),
        "foot_ahead_of_hip_pct_leg": metric(20.0), "foot_descent_speed_mps": metric(0.6, 0.1),
        "knee_flexion_at_contact_deg": metric(18.0), "cadence_steps_per_min": metric(172.0),
        "stride_length_m": metric(2.0, 0.05), "contact_time_s": metric(0.25, 0.01),
    }  # fmt: skip


FIRING = {  # rule id -> (profile, changes that make it fire)
    "sprint-knee-lift-low": ("sprint", {"max_thigh_angle_deg": 40.0}),
    "distance-shuffle": ("distance", {"max_thigh_angle_deg": 28.0}),
    "distance-forced-knee-drive": ("distance", {"max_thigh_angle_deg": 62.0, "hip_extension_at_toe_off_deg": 11.0}),
    "distance-short-hip-extension": ("distance", {"hip_extension_at_toe_off_deg": 6.0}),
    "distance-early-thigh-drive": ("distance", {"thigh_peak_velocity_pct_swing": 8.0}),
    "overstride-shank": ("distance", {"shank_angle_at_contact_deg": 14.0}),
    "overstride-foot-ahead": ("sprint", {"foot_ahead_of_hip_pct_leg": 42.0}),
    "stomping": ("distance", {"foot_descent_speed_mps": 1.6, "knee_flexion_at_contact_deg": 7.0}),
    "low-cadence-distance": ("distance", {"cadence_steps_per_min": 148.0, "shank_angle_at_contact_deg": 8.0}),
    "distance-short-step": ("distance", {STEP_METRIC: 78.0}),  # % of the step expected at the speed, in metres
    "asymmetry-contact_time_s": ("distance", {"contact_time_s": (0.28, 0.24)}),  # symmetry index 15 % > 10 %
    "asymmetry-max_thigh_angle_deg": ("sprint", {"max_thigh_angle_deg": (81.0, 69.0)}),  # 12 deg apart > 9 deg
}
EVENT_OF = {"sprint": "400m", "distance": "marathon"}


def with_values(changes: dict, uncertainty: float | None = None, profile: str = "distance") -> dict:
    """``neutral`` with some values changed: a number, or a (left, right) pair of leg medians."""
    summary = neutral(profile)
    for key, value in changes.items():
        unc = (summary[key]["uncertainty"] if key in summary else 1.0) if uncertainty is None else uncertainty
        if isinstance(value, tuple):  # the retest noise (MDC95) left out: the uncertainty alone bounds the noise
            left, right = value
            mean = 0.5 * (left + right)
            summary[key] = metric(mean, unc, left=left, right=right, si=100 * (left - right) / mean, mdc=0.0)
        else:
            summary[key] = metric(value, unc)
        if key == STEP_METRIC:
            summary[key]["calibration"] = "height"  # a length in metres (judged only then)
    return summary


@pytest.mark.parametrize("rule_id", sorted(FIRING))
def test_each_rule_fires_and_is_absent_otherwise(rule_id):
    profile, changes = FIRING[rule_id]
    fired = {f["id"] for f in coach(with_values(changes, profile=profile), EMPTY, EVENT_OF[profile])["findings"]}
    assert rule_id in fired
    assert not coach(neutral(profile), EMPTY, EVENT_OF[profile])["findings"]


@pytest.mark.parametrize("rule_id", sorted(FIRING))
def test_no_finding_inside_measurement_noise(rule_id):
    profile, changes = FIRING[rule_id]
    noisy = with_values(changes, uncertainty=50.0, profile=profile)  # the value could as well be on the right side
    assert rule_id not in {f["id"] for f in coach(noisy, EMPTY, EVENT_OF[profile])["findings"]}


@pytest.mark.parametrize(("left", "right", "fires"), [(5.0, 4.0, False), (8.7, 5.1, True), (5.1, 8.7, True)])
def test_shank_asymmetry_is_judged_in_degrees_and_names_the_leg_reaching_further(left, right, fires):
    """A shank angle of a few degrees makes any symmetry index large (5 vs 4 deg: 22 %); the rule
    looks at the difference instead, and the leg to work on is the one landing further ahead."""
    summary = neutral()
    si = 100 * (left - right) / (0.5 * (left + right))
    summary["shank_angle_at_contact_deg"] = metric(0.5 * (left + right), left=left, right=right, si=si, mdc=0.5)
    found = [f for f in coach(summary, EMPTY, "10k")["findings"] if f["id"] == "asymmetry-shank_angle_at_contact_deg"]
    assert bool(found) == fires
    if fires:
        assert found[0]["sides"] == ["left" if left > right else "right"]
        assert found[0]["value"] == pytest.approx(left - right)


@pytest.mark.parametrize(("metric_name", "left", "right", "fires"), [
    ("max_thigh_angle_deg", 26.0, 20.0, False),  # 6 deg apart: 26 % of the mean, common among recreational runners
    ("max_thigh_angle_deg", 31.0, 20.0, True),  # 11 deg: beyond 9 deg
    ("hip_extension_at_toe_off_deg", 20.0, 18.0, False),  # 2 deg: within the tuning runners' spread
    ("hip_extension_at_toe_off_deg", 22.0, 18.0, True),
])  # fmt: skip
def test_angle_asymmetry_is_judged_in_degrees_against_runners_own_spread(metric_name, left, right, fires):
    """A symmetry index of an angle measured from vertical fired on a third of the RBDS runners;
    the rule looks at |left - right| against the 95th percentile of the tuning runners' markers."""
    summary = neutral()
    si = 100 * (left - right) / (0.5 * (left + right))
    summary[metric_name] = metric(0.5 * (left + right), uncertainty=0.5, left=left, right=right, si=si, mdc=0.5)
    found = [f for f in coach(summary, EMPTY, "10k")["findings"] if f["id"] == f"asymmetry-{metric_name}"]
    assert bool(found) == fires
    if fires:
        assert found[0]["value"] == pytest.approx(left - right)


def test_asymmetry_needs_more_than_the_methods_own_error():
    summary = neutral()
    summary["shank_angle_at_contact_deg"] = metric(12.0, uncertainty=3.9, left=10.0, right=14.0, si=-33.0, mdc=1.0)
    assert not any(f["id"].startswith("asymmetry") for f in coach(summary, EMPTY, "10k")["findings"])  # 4 < 1.41 x 3.9
    summary["shank_angle_at_contact_deg"] = metric(12.0, uncertainty=2.0, left=10.0, right=14.0, si=-33.0, mdc=1.0)
    assert any(f["id"].startswith("asymmetry") for f in coach(summary, EMPTY, "10k")["findings"])


def test_asymmetry_needs_more_than_noise():
    summary = neutral()
    summary["max_thigh_angle_deg"] = metric(40.0, left=45.0, right=35.0, si=25.0, mdc=3.0)
    assert any(f["id"].startswith("asymmetry") for f in coach(summary, EMPTY, "10k")["findings"])
    summary["max_thigh_angle_deg"] = metric(40.0, left=45.0, right=35.0, si=25.0, mdc=12.0)
    assert not any(f["id"].startswith("asymmetry") for f in coach(summary, EMPTY, "10k")["findings"])


def test_findings_carry_schema_fields():
    finding = coach(with_values(FIRING["overstride-shank"][1]), EMPTY, "10k")["findings"][0]
    for key in ("id", "severity", "metric", "value", "reference", "uncertainty", "evidence", "source", "advice"):
        assert key in finding
    assert finding["source"] and all("reference" in s for s in finding["source"])
    assert finding["cutoff"] == "runform" and readable_finding(finding)["reference_text"].endswith("; runform's cut-off")


@pytest.mark.parametrize("rule_id", sorted(FIRING))
def test_every_rules_finding_is_described_by_the_schema(rule_id):
    """Each field a finding carries is typed in analysis.schema.json (it described only a few)."""
    from jsonschema import Draft202012Validator

    from runform.io import analysis_schema

    schema = analysis_schema()
    item = schema["$defs"]["coaching"]["properties"]["findings"]["items"]
    profile, changes = FIRING[rule_id]
    finding = next(f for f in coach(with_values(changes, profile=profile), EMPTY, EVENT_OF[profile])["findings"]
                   if f["id"] == rule_id)  # fmt: skip
    assert set(finding) <= set(item["properties"]), set(finding) - set(item["properties"])
    Draft202012Validator({**item, "$defs": schema["$defs"]}).validate(json.loads(json.dumps(finding)))


def test_same_runner_gets_different_advice_for_400m_and_marathon(clip_analysis):
    sprint = coach(clip_analysis.summary, clip_analysis.strides, "400m")
    distance = coach(clip_analysis.summary, clip_analysis.strides, "marathon")
    assert sprint["profile"] == "sprint" and distance["profile"] == "distance"
    sprint_ids = {f["id"] for f in sprint["findings"]}
    distance_ids = {f["id"] for f in distance["findings"]}
    # a recreational jogger's ~25-30 deg knee lift is far below the sprint band ...
    assert "sprint-knee-lift-low" in sprint_ids
    # ... but under the distance profile it is judged by the distance positions, never the sprint band
    assert not any(i.startswith("sprint-") for i in distance_ids)
    assert "distance-shuffle" in distance_ids  # position B: low lift
    assert set(sprint["programme"]["variants"]) == {"consensus"}
    assert set(distance["programme"]["variants"]) == {"a", "b"}
    assert sprint["programme"]["variants"] != distance["programme"]["variants"]
    # positions are never mixed: each position's programme only gets its own and consensus drills
    a_drills = {d["id"] for w in distance["programme"]["variants"]["a"] for d in w["drills"]}
    assert "b-skip" not in a_drills


def test_refused_clip_gets_no_coaching(walking_analysis):
    assert walking_analysis.quality.verdict == "refuse"
    assert walking_analysis.coaching is None


def test_every_rule_and_drill_cites_known_sources():
    sources = load("sources")
    for rule in load("rules")["rules"]:
        assert rule["source"] and all(s in sources for s in rule["source"])
        assert rule["cutoff"] == "runform" or rule["cutoff"] in rule["source"], rule["id"]  # who set the number
    for drill in load("drills")["drills"].values():
        assert all(s in sources for s in drill["source"])


def _session(values: dict, mdc: float, findings=()) -> dict:
    return {"schema_version": "1.0", "summary": {k: {"value": v, "mdc95": mdc} for k, v in values.items()},
            "keypoints": {"sampling_rate_hz": 60.0}, "calibration": {"method": "height"}, "config": {"event": "10k"},
            "coaching": {"findings": [{"id": f} for f in findings]}}  # fmt: skip


def test_change_smaller_than_noise_is_not_an_improvement():
    before = _session({"shank_angle_at_contact_deg": 12.0}, mdc=2.0, findings=["overstride-shank"])
    small = compare(before, _session({"shank_angle_at_contact_deg": 11.0}, mdc=2.0))
    assert small["metrics"][0]["verdict"] == "no real change"
    big = compare(before, _session({"shank_angle_at_contact_deg": 7.0}, mdc=2.0))
    assert big["metrics"][0]["verdict"] == "improved"
    assert big["resolved_findings"] == ["overstride-shank"]


def test_forced_knee_drive_is_judged_on_both_of_its_metrics():
    """Forced knee drive (high lift, short hip extension): a lower knee lift and a longer hip
    extension are both improvements; a still higher lift is worse."""
    values = {"max_thigh_angle_deg": 62.0, "hip_extension_at_toe_off_deg": 11.0}
    before = _session(values, mdc=2.0, findings=["distance-forced-knee-drive"])
    calmer = compare(before, _session({"max_thigh_angle_deg": 52.0, "hip_extension_at_toe_off_deg": 16.0}, mdc=2.0))
    assert {m["metric"]: m["verdict"] for m in calmer["metrics"]} == {
        "max_thigh_angle_deg": "improved", "hip_extension_at_toe_off_deg": "improved"}  # fmt: skip
    higher = compare(before, _session({"max_thigh_angle_deg": 68.0, "hip_extension_at_toe_off_deg": 11.5}, mdc=2.0))
    assert {m["metric"]: m["verdict"] for m in higher["metrics"]} == {
        "max_thigh_angle_deg": "worse", "hip_extension_at_toe_off_deg": "no real change"}  # fmt: skip
    shuffle = compare(_session(values, mdc=2.0, findings=["distance-shuffle"]), _session({**values, "max_thigh_angle_deg": 68.0}, mdc=2.0))
    assert shuffle["metrics"][0]["verdict"] == "improved"  # the other finding on knee lift: higher is better


def test_compare_warns_when_the_pose_settings_differ():
    def session(source: str) -> dict:
        data = _session({"shank_angle_at_contact_deg": 9.0}, mdc=2.0)
        data["keypoints"]["source"] = source
        return data

    default = "mediapipe-blazepose(model_complexity=1, 2 processes)"
    assert not compare(session(default), session("mediapipe-blazepose(model_complexity=1)"))["warnings"]  # processes only
    fast = compare(session(default), session("mediapipe-blazepose(model_complexity=1, every 2 frames, 2 processes)"))
    assert any("different pose settings" in w for w in fast["warnings"])
    mocap = "virtual-camera(mocap-joints:RBDS001runT25_joints.csv, 60 fps, right)"
    assert not compare(session(mocap), session(mocap.replace("T25", "T45")))["warnings"]  # file names only
    assert not compare(session("csv:monday.csv"), session("csv:friday.csv"))["warnings"]
    assert not compare(session("csv:run (1).csv"), session("csv:tuesday, easy.csv"))["warnings"]
    assert compare(session("csv:monday.csv"), session(default))["warnings"]


def test_compare_warns_about_speed_without_a_scale_and_about_versions():
    before, after = (_session({"max_thigh_angle_deg": 30.0}, mdc=2.0) for _ in range(2))
    before["calibration"].update(running_speed_px_s=696.0, leg_length_px=252.0)  # RBDS001 at 2.5 m/s, no scale
    after["calibration"].update(running_speed_px_s=1261.0, leg_length_px=252.0)  # at 4.5 m/s
    assert any("running speed changed (2.76 -> 5.00 leg lengths/s)" in w for w in compare(before, after)["warnings"])
    after["calibration"]["running_speed_px_s"] = 700.0
    assert not compare(before, after)["warnings"]
    after["schema_version"] = "1.4"  # before: "1.0"
    warnings = compare(before, after)["warnings"]
    assert len(warnings) == 1 and "different runform versions (analysis.json 1.0 -> 1.4; 1.4 reads the running speed" in warnings[0]


@pytest.mark.parametrize(("after_mps", "warned"), [(2.55, False), (2.4, False), (2.7, True), (4.5, True)])
def test_compare_warns_when_the_running_speed_differs(after_mps, warned):
    before, after = (_session({"max_thigh_angle_deg": 30.0}, mdc=2.0) for _ in range(2))
    before["calibration"]["running_speed_mps"], after["calibration"]["running_speed_mps"] = 2.5, after_mps
    warnings = compare(before, after)["warnings"]
    assert any("running speed changed" in w for w in warnings) == warned, warnings


def test_a_change_with_the_speed_is_not_called_improved():
    """Knee lift grows with speed: a retest at another speed says "increased", resolves no finding."""
    before = _session({"max_thigh_angle_deg": 27.0}, mdc=0.6, findings=["distance-shuffle"])
    after = _session({"max_thigh_angle_deg": 40.7}, mdc=0.6)
    before["calibration"]["running_speed_mps"], after["calibration"]["running_speed_mps"] = 2.5, 4.5
    result = compare(before, after)
    assert result["metrics"][0]["verdict"] == "increased (the speed changed too)"
    assert result["resolved_findings"] == [] and result["not_comparable_findings"] == ["distance-shuffle"]
    assert result["not_comparable_reason"] == "the running speed changed"
    after["calibration"]["running_speed_mps"] = 2.5  # the same speed: now it is an improvement
    result = compare(before, after)
    assert result["metrics"][0]["verdict"] == "improved" and result["resolved_findings"] == ["distance-shuffle"]


def test_compare_names_another_leg_and_another_runner():
    before, after = (_session({"max_thigh_angle_deg": 30.0}, mdc=2.0) for _ in range(2))
    before["summary"]["max_thigh_angle_deg"]["headline_side"] = "left"
    after["summary"]["max_thigh_angle_deg"].update(value=39.0, headline_side="right")  # filmed from the other side
    result = compare(before, after)
    assert result["metrics"][0]["verdict"] == "not comparable: the left leg before, the right leg after"
    assert any("the leg measured changed (the left leg -> the right leg)" in w for w in result["warnings"])
    # the far leg reliable in one session only: that session pooled both legs; the near leg is compared
    before["summary"]["max_thigh_angle_deg"].update(headline_side=None, left={"median": 31.0}, right={"median": 35.0})
    after["summary"]["max_thigh_angle_deg"].update(headline_side="left", left={"median": 37.0}, value=37.0)
    row = compare(before, after)["metrics"][0]
    assert (row["before"], row["after"], row["verdict"]) == (31.0, 37.0, "increased")
    assert not any("leg measured changed" in w for w in compare(before, after)["warnings"])
    for data, leg_px, name in ((before, 252.0, "Ann"), (after, 232.0, "Ben")):  # 0.90 and 0.83 m at 280 px/m
        data["calibration"].update(leg_length_px=leg_px, px_per_m=280.0, length_unit="m")
        data["config"]["runner_name"] = name
    warnings = compare(before, after)["warnings"]
    assert any("leg length changed (0.90 -> 0.83 m)" in w for w in warnings)
    assert any("different runners (Ann -> Ben)" in w for w in warnings)
    assert compare(before, copy.deepcopy(before))["warnings"] == []


def test_compare_cli(tmp_path):
    before = _session({"max_thigh_angle_deg": 30.0}, 2.0, ["distance-shuffle"])
    after = copy.deepcopy(before)
    after["summary"]["max_thigh_angle_deg"]["value"] = 36.0
    (tmp_path / "a.json").write_text(json.dumps(before))
    (tmp_path / "b.json").write_text(json.dumps(after))
    result = CliRunner().invoke(app, ["compare", str(tmp_path / "a.json"), str(tmp_path / "b.json")])
    assert result.exit_code == 0, result.output
    assert "improved" in result.output
    bad = CliRunner().invoke(app, ["compare", str(tmp_path / "a.json"), str(tmp_path / "missing.json")])
    assert bad.exit_code == 2


def test_event_defaulted_only_when_no_event_was_given():
    # an explicit --event 10k (the default event) is the user's choice, not a default
    assert coach(neutral(), EMPTY, None)["event_defaulted"] is True
    assert coach(neutral(), EMPTY, "10k")["event_defaulted"] is False
    assert coach(neutral(), EMPTY, "800m")["event_defaulted"] is False


def test_vertical_ratio_is_compared_across_scales_and_lengths_are_not():
    """Oscillation over step length is one scale's ratio: a session in pixels and one in metres
    compare it (it was left out with the lengths)."""
    values = {"vertical_ratio_pct": 6.27, "stride_length_m": 2.2}
    before, after = _session(values, mdc=0.3), _session({**values, "vertical_ratio_pct": 6.20}, mdc=0.3)
    before["calibration"].update(method="none", length_unit="px")
    after["calibration"].update(method="treadmill_speed", length_unit="m")
    result = compare(before, after)
    assert [m["metric"] for m in result["metrics"]] == ["vertical_ratio_pct"]
    assert any("lengths are not compared" in w for w in result["warnings"])


def test_the_knee_lift_band_shown_is_the_one_the_findings_use():
    """xc and trail judge knee lift 5 deg higher (knee_lift_bonus_deg): the findings did, while the
    report's reference band and the web app's trend chart showed the distance profile's 35-50."""
    from runform.coaching.profiles import knee_lift_band
    from runform.web.trends import _band

    assert (knee_lift_band("10k")["low"], knee_lift_band("10k")["high"]) == (35, 50)
    assert (knee_lift_band("xc")["low"], knee_lift_band("xc")["high"]) == (40, 55)
    assert _band("max_thigh_angle_deg", "distance", "trail")["low"] == 40
    for event, lifted in (("10k", False), ("xc", True)):  # 38 deg: a shuffler on the xc band only
        found = [f.id for f in findings.evaluate({"max_thigh_angle_deg": {"value": 38.0}}, pd.DataFrame(), "distance",
                                                 5.0 if event == "xc" else 0.0)]  # fmt: skip
        assert ("distance-shuffle" in found) == lifted, (event, found)


def test_position_a_programme_gets_no_knee_drive_drill_from_a_consensus_finding():
    """Overstriding is a finding both coaches share; its drills put the A-skip and the sprint-only
    wall drill ("drive the knee to hip height") into Position A's programme, whose coach says a
    distance runner should not drive the knee."""
    from runform.coaching import programme
    from runform.coaching.findings import Finding

    def finding(rule: str) -> Finding:
        return Finding(rule, rule, "major", "consensus", "shank_angle_at_contact_deg", 14.0, "", 1.0, {}, [], "")

    drills = load("drills")["drills"]
    plan = programme.build("distance", [finding("overstride-shank"), finding("overstride-foot-ahead")])
    ids = {v: {d["id"] for week in weeks for d in week["drills"]} for v, weeks in plan["variants"].items()}
    assert "cadence-metronome" in ids["a"] and "cadence-metronome" in ids["b"]
    assert not [d for d in ids["a"] if "b" in drills[d].get("positions", []) or "distance" not in drills[d]["profiles"]], ids["a"]
    assert "a-skip" in ids["b"] and "wall-drill" not in ids["b"]  # the wall drill is a sprinter's
    sprint = programme.build("sprint", [finding("overstride-foot-ahead")])
    assert "wall-drill" in {d["id"] for week in sprint["variants"]["consensus"] for d in week["drills"]}


def test_a_two_part_findings_reference_is_the_range_that_is_fine_in_words():
    """"Knee lift <= 55.0 and hip_extension_at_toe_off_deg < 15" mixed the fine range with the firing
    condition and left the second metric a code name; an asymmetry showed its symmetry index (%)
    under the metric's own unit ("Contact time (s) = 20.000")."""
    from runform.coaching.compare import readable_finding

    summary = {"max_thigh_angle_deg": {"value": 62.0, "uncertainty": 1.0}, "hip_extension_at_toe_off_deg": {"value": 8.0, "uncertainty": 1.0}}
    forced = next(f for f in findings.evaluate(summary, pd.DataFrame(), "distance") if f.id == "distance-forced-knee-drive")
    text = readable_finding(forced.to_dict())["reference_text"]
    assert text.startswith("Knee lift, max thigh angle (deg) <= 55") and text.endswith("or Hip extension at toe-off (deg) >= 15; runform's cut-off"), text
    asym = readable_finding({"title": "Left/right asymmetry: contact_time_s (symmetry index, %)", "metric": "contact_time_s",
                             "value": 20.0, "uncertainty": 11.6, "reference": "|symmetry index| <= 10 %"})  # fmt: skip
    assert (asym["label"], asym["value_text"], asym["uncertainty_text"]) == ("Contact time: symmetry index (%)", "20.0", "11.6")


def test_a_knee_lift_within_its_uncertainty_of_the_band_is_at_its_edge_not_below():
    """30 +/- 10 deg against a 35-50 band was a red "below the band" while no finding fired."""
    from runform.coaching.knee_lift import band_position

    assert band_position(30.0, 10.0, 35, 50) == "low-edge" and band_position(30.0, 1.0, 35, 50) == "below"
    assert band_position(52.0, 3.0, 35, 50) == "high-edge" and band_position(60.0, 3.0, 35, 50) == "above"
    assert band_position(40.0, None, 35, 50) == "within"
