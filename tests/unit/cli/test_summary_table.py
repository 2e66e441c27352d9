"""The terminal's summary table: each headline with its 95 % uncertainty, and a value the gate
found unreliable for this clip marked as such (the report said so and the terminal did not)."""

from types import SimpleNamespace

from rich.console import Console

from runform.cli.render import summary_table


def _entry(value: float, uncertainty: float, reliable: bool = True) -> dict:
    side = {"median": value, "n": 6}
    return {"value": value, "uncertainty": uncertainty, "reliable": reliable, "iqr": 0.01, "n": 12,
            "left": side, "right": side, "symmetry_index_pct": 1.0}  # fmt: skip


def _text(summary: dict) -> str:
    console = Console(record=True, width=140)
    console.print(summary_table(SimpleNamespace(clip_name="clip.mp4", summary=summary)))
    return console.export_text()


def test_unreliable_timing_is_marked_and_reliable_values_carry_their_uncertainty():
    text = _text({"contact_time_s": _entry(0.287, 0.025, reliable=False), "max_thigh_angle_deg": _entry(21.2, 1.4)})
    contact = next(line for line in text.splitlines() if "Contact time" in line)
    knee = next(line for line in text.splitlines() if "Knee lift" in line)
    assert "0.287!" in contact and "0.025" not in contact
    assert "21.2" in knee and "1.4" in knee and "!" not in knee
    assert "unreliable for this clip" in text


def test_no_mark_when_everything_is_reliable():
    text = _text({"contact_time_s": _entry(0.287, 0.025)})
    assert "0.287" in text and "0.025" in text and "!" not in text and "unreliable" not in text


def test_an_uncertainty_below_the_values_precision_is_not_printed_as_zero():
    text = _text({"step_length_m": _entry(1.24, 0.004), "max_thigh_angle_deg": _entry(21.2, 1.4)})
    step = next(line for line in text.splitlines() if "Step length" in line)
    assert "0.004" in step and "0.00 " not in step


def test_a_metric_without_an_error_model_says_its_plus_minus_is_the_spread_only():
    """Trunk lean and vertical oscillation are not validated against truth: their ± (a few tenths)
    is the strides' spread, not the method's error, and must not read like the checked angles'."""
    trunk = {**_entry(4.7, 0.3), "validated": False}
    text = _text({"trunk_lean_deg": trunk, "max_thigh_angle_deg": {**_entry(21.2, 1.4), "validated": True}})
    trunk_row = next(line for line in text.splitlines() if "Trunk lean" in line)
    knee_row = next(line for line in text.splitlines() if "Knee lift" in line)
    assert "0.3~" in trunk_row and "~" not in knee_row
    assert "not validated against truth" in text
