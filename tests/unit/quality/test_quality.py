"""Quality gate verdicts on real clips: the walking control, a 15 fps copy and a cropped-legs copy."""

from __future__ import annotations

import pytest
from conftest import write_transformed

import runform


def verdicts(analysis) -> dict[str, str]:
    return {c.name: c.verdict for c in analysis.quality.checks}


def test_walking_demo_is_refused_as_not_running(walking_analysis):
    analysis = walking_analysis
    v = verdicts(analysis)
    assert analysis.quality.verdict == "refuse"
    assert v["running"] == "refuse"
    assert "walking" in next(c.message for c in analysis.quality.checks if c.name == "running")
    # several people: the detector tracked them and the gate says whom it analysed; the analysed person
    # entering the frame (the start of their pass) is not a tracking jump
    assert "people tracked" in next(c.message for c in analysis.quality.checks if c.name == "person_choice")
    assert analysis.persons.n_persons >= 2 and analysis.persons.passes
    assert v["surface"] == "pass" and next(c.value for c in analysis.quality.checks if c.name == "surface") == "overground"


def test_treadmill_clip_passes_with_frame_rate_warning(clip_analysis):
    v = verdicts(clip_analysis)
    assert clip_analysis.quality.verdict == "warn"
    assert v["frame_rate"] == "warn" and v["running"] == "pass" and v["strides"] == "pass"
    assert next(c.value for c in clip_analysis.quality.checks if c.name == "surface") == "treadmill"
    assert v["camera_panning"] == "pass"


def test_every_check_states_value_threshold_and_fix(clip_analysis):
    for check in clip_analysis.quality.checks:
        assert check.threshold and check.message
        if check.verdict != "pass":
            assert check.fix


def test_cropped_legs_are_refused(tmp_path, clip):
    cropped = tmp_path / "cropped.mp4"
    write_transformed(clip, cropped, lambda img: img[: int(img.shape[0] * 0.80)])  # feet and shins cut off
    analysis = runform.analyze(cropped)
    assert analysis.quality.verdict == "refuse"
    refused = {c.name for c in analysis.quality.refusals}
    assert refused & {"occlusion", "strides", "running"}


def test_15_fps_copy_marks_timing_unreliable(tmp_path, clip):
    low = tmp_path / "low.mp4"
    write_transformed(clip, low, lambda img: img, keep_every=2, rate=15)
    analysis = runform.analyze(low)
    check = next(c for c in analysis.quality.checks if c.name == "frame_rate")
    assert check.verdict == "warn" and "unreliable" in check.message
    assert not analysis.quality.timing_reliable
    assert analysis.summary["contact_time_s"]["reliable"] is False
    assert analysis.summary["max_thigh_angle_deg"]["reliable"] is True
    assert analysis.summary["cadence_steps_per_min"]["value"] == pytest.approx(168.9, abs=1.0)


@pytest.mark.parametrize("method, confidence, passes, verdict, text", [
    ("auto", 0.1, [(0, 299)], "warn", "may not be the intended runner"),
    ("auto", 0.8, [(0, 299)], "pass", "running gait (choice confidence 80%)"),
    ("left", 1.0, [(0, 99), (150, 299)], "pass", "2 passes with the whole body in view: 1, 2 strides"),
], ids=["unsure-auto", "sure-auto", "override-two-passes"])  # fmt: skip
def test_person_choice_check(method, confidence, passes, verdict, text):
    from types import SimpleNamespace

    import numpy as np
    import pandas as pd

    from runform.model import PersonTracks
    from runform.quality import PersonChoice

    persons = PersonTracks((0, 1), np.zeros((2, 300, 4)), 0, method, confidence, passes=tuple(passes))
    g = SimpleNamespace(persons=persons, raw=SimpleNamespace(time_s=np.arange(300) / 30.0),
                        strides=pd.DataFrame({"start_time_s": [1.0, 6.0, 8.0]}))  # fmt: skip
    (check,) = PersonChoice().check(g).checks_
    assert check.name == "person_choice" and check.verdict == verdict and text in check.message
    assert "2 people tracked" in check.message


@pytest.mark.filterwarnings("ignore:Mean of empty slice")
def test_frames_outside_the_passes_are_neither_occlusion_nor_tracking_loss():
    """Overground: 100 of 300 frames have the runner in view (two passes); inside them 10 % of the
    leg landmarks are missing. Occlusion is 10 %, and entering at each pass start is no tracking loss."""
    from types import SimpleNamespace

    import numpy as np

    from runform.model import PersonTracks
    from runform.quality import MultiplePeople, Occlusion

    xy = np.full((300, 33, 2), np.nan)
    xy[50:100] = xy[200:250] = 100.0
    raw = SimpleNamespace(n_frames=300, xy_px=xy, source="mediapipe-blazepose(model_complexity=1)", observed=None)
    persons = PersonTracks((0,), np.zeros((1, 300, 4)), 0, "only-person", 1.0, passes=((50, 99), (200, 249)))
    frac = (200 + 0.1 * 100) / 300  # what the cleaning reports over the whole clip
    g = SimpleNamespace(persons=persons, raw=raw, cleaning=SimpleNamespace(fraction_missing_before_fill=frac),
                        calibration=SimpleNamespace(leg_length_px=100.0), video={"duration_s": 10.0})  # fmt: skip
    (occlusion,) = Occlusion().check(g).checks_
    assert occlusion.value == pytest.approx(0.1) and occlusion.verdict == "pass"
    (jumps,) = MultiplePeople().check(g).checks_
    assert jumps.value == 0
    xy[150] = 100.0  # found again for one frame between the passes: counted
    assert MultiplePeople().check(g).checks_[0].value == 1


def test_frozen_frames_outside_the_pass_are_not_taken_off_twice():
    """A frozen intro is both without pictures of its own and outside the runner's pass: its empty
    frames are taken off once, so 25 % occlusion inside the pass reads 25 % (it read 12.5 %)."""
    from types import SimpleNamespace

    import numpy as np

    from runform.model import PersonTracks
    from runform.quality import Occlusion

    n, frozen = 420, 60
    observed = np.ones(n, dtype=bool)
    observed[1:frozen + 1] = False
    persons = PersonTracks((0,), np.zeros((1, n, 4)), 0, "only-person", 1.0, passes=((61, 419),))
    frac = (61 + 0.25 * 359) / n  # the frozen frames and frame 0 empty, a quarter of the pass missing
    g = SimpleNamespace(persons=persons, raw=SimpleNamespace(n_frames=n, observed=observed),
                        cleaning=SimpleNamespace(fraction_missing_before_fill=frac), video={"duration_s": 14.0})  # fmt: skip
    (occlusion,) = Occlusion().check(g).checks_
    assert occlusion.value == pytest.approx(0.25, abs=0.001) and occlusion.verdict == "warn"


def test_strides_faster_than_any_runner_are_refused_as_sped_up():
    """The gate's own guard for sped-up time, when cleaning's rhythm search did not catch it."""
    from types import SimpleNamespace

    import pandas as pd

    from runform.quality import Running

    strides = pd.DataFrame({"duty_factor": [0.3] * 6, "cadence_steps_per_min": [420.0] * 6})
    g = SimpleNamespace(strides=strides, raw=SimpleNamespace(time_scale=0.4))
    (check,) = Running().check(g).checks_
    assert check.name == "sped_up" and check.verdict == "refuse" and "faster than any runner" in check.message
    assert "check --real-fps" in check.fix
    g = SimpleNamespace(strides=strides.assign(cadence_steps_per_min=290.0), raw=SimpleNamespace(time_scale=1.0))
    assert Running().check(g).checks_[0].verdict == "pass"  # a sprinter's cadence
