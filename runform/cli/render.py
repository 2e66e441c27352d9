"""Rich rendering of results: the summary table, quality warnings, coaching and a retest comparison.
Presentation only: every value shown was computed by the pipeline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.table import Table

from runform.cli.common import out
from runform.coaching.compare import finding_list, readable_finding
from runform.coaching.knee_lift import BAND_POSITIONS, band_position, speed_clause
from runform.model import Analysis

HEADLINE = [
    ("cadence_steps_per_min", "Cadence", "steps/min", 1),
    ("contact_time_s", "Contact time", "s", 3),
    ("flight_time_s", "Flight time", "s", 3),
    ("duty_factor", "Duty factor", "", 2),
    ("step_length_m", "Step length", "m", 2),
    ("stride_length_m", "Stride length (two steps)", "m", 2),
    ("max_thigh_angle_deg", "Knee lift (max thigh angle)", "deg", 1),
    ("hip_extension_at_toe_off_deg", "Hip extension at toe-off", "deg", 1),
    ("peak_swing_knee_flexion_deg", "Heel recovery (peak swing knee flexion)", "deg", 1),
    ("knee_flexion_at_contact_deg", "Knee flexion at contact", "deg", 1),
    ("shank_angle_at_contact_deg", "Shank angle at contact", "deg", 1),
    ("foot_ahead_of_hip_cm", "Foot ahead of hip at contact", "cm", 1),
    ("foot_ahead_of_hip_pct_leg", "Foot ahead of hip at contact", "% leg", 1),
    ("vertical_oscillation_cm", "Vertical oscillation", "cm", 1),
    ("vertical_ratio_pct", "Vertical ratio", "%", 1),
    ("trunk_lean_deg", "Trunk lean", "deg", 1),
]


def _fmt(value: object, digits: int) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _plus_minus(value: object, digits: int) -> str:
    """An uncertainty at the value's precision, but never a misleading 0: one significant digit
    when it is smaller than the value's last digit (step length ±0.004 m, not ±0.00)."""
    if isinstance(value, (int, float)) and 0 < value < 0.5 * 10**-digits:
        return f"{value:.1g}"
    return _fmt(value, digits)


def _side(entry: dict, digits: int) -> str:
    """A per-leg median; "*" marks a poorly tracked (far) leg."""
    return _fmt(entry.get("median"), digits) + ("*" if entry.get("reliable") is False else "")


def sentence(*parts: str | None) -> str:
    """Join the non-empty parts into one line: no stray " ." from an empty part."""
    return " ".join(p.strip().rstrip(".") + "." for p in parts if p and p.strip().rstrip("."))


def headline(coaching: dict[str, Any] | None) -> str | None:
    """"Knee lift 23 deg: below the 10k band (35-50 deg)", coloured (Rich markup)."""
    if not coaching or coaching["knee_lift"]["value_deg"] is None:
        return None
    knee, ref = coaching["knee_lift"]["value_deg"], coaching["knee_lift"]["reference_deg"]
    low, high = ref.get("low"), ref.get("high")
    where, tone = BAND_POSITIONS[band_position(knee, coaching["knee_lift"].get("uncertainty_deg"), low, high)]
    colour = {"bad": "red", "warn": "yellow", "ok": "green"}[tone]
    extra = ""
    clause = speed_clause(coaching["knee_lift"], degree=" deg", dash="-")
    if clause:  # below the race-pace band: how it compares with runners at the speed filmed
        extra, colour = clause[0], {"bad": "red", "warn": "yellow"}[clause[1]]
    return f"[bold {colour}]Knee lift {knee:.0f} deg: {where} the {coaching['event']} band ({low}-{high} deg){extra}[/]"


def summary_table(analysis: Analysis) -> Table:
    table = Table(title=f"runform: {analysis.clip_name}", show_lines=False)
    for col in ("metric", "unit", "value", "±95%", "left", "right", "IQR", "n", "L − R"):
        table.add_column(col, justify="left" if col in ("metric", "unit") else "right")
    summary, notes = analysis.summary, []
    for key, label, unit, digits in HEADLINE:
        if key not in summary:
            continue
        s = summary[key]
        lmr = s.get("left_minus_right") if s.get("symmetry_reliable", True) else None
        if s.get("reliable", True):
            value, plus_minus = _fmt(s["value"], digits), _plus_minus(s.get("uncertainty"), digits)
            if s.get("validated") is False and s.get("uncertainty") is not None:  # no error model: the strides' spread only
                plus_minus += "~"
        else:  # the gate found the method cannot time it here (frame rate, events not timed from the foot)
            value, plus_minus = f"[yellow]{_fmt(s['value'], digits)}![/]", "[yellow]-[/]"
        table.add_row(label, unit, value, plus_minus, _side(s["left"], digits), _side(s["right"], digits),
                      _fmt(s["iqr"], digits), str(s["n"]), _fmt(lmr, digits))  # fmt: skip
    if any(isinstance(summary.get(key), dict) and summary[key].get("validated") is False for key, *_ in HEADLINE):
        notes.append("~ not validated against truth: the ± is the strides' spread only, not the method's error")
    if any(isinstance(e, dict) and e.get("reliable") is False for e in summary.values()):
        notes.append("! unreliable for this clip (no ±): see the warnings below")
    if any(isinstance(e.get(side), dict) and e[side].get("reliable") is False
           for e in summary.values() if isinstance(e, dict) for side in ("left", "right")):  # fmt: skip
        notes.append("* far leg, poorly tracked: not used for findings or symmetry")
    table.caption = "\n".join(notes) or None
    return table


def print_analysis(analysis: Analysis, output: Path) -> None:
    """Summary table, quality warnings, coaching, a pixel-units hint and where the results are."""
    line = headline(analysis.coaching)
    if line:
        out.print(line)
    out.print(summary_table(analysis))
    for check in analysis.quality.checks:
        if check.verdict != "pass":
            out.print(f"[yellow]warning[/] {check.name}: " + sentence(check.message, f"Fix: {check.fix}" if check.fix else None))
    print_coaching(analysis.coaching)
    if analysis.calibration.length_unit == "px":
        config = analysis.config
        if any(v is not None for v in (config.treadmill_speed_mps, config.known_distance, config.height_m)):
            out.print("[yellow]No lengths measured (the scale given could not be used, see the scale warning above; "
                      "lengths are only in pixels)[/]")
        else:
            out.print("[yellow]No lengths measured (no scale given, so lengths are only in pixels)[/]: give --treadmill-speed "
                      "(belt speed, best), --known-distance or --height for step length, foot position and oscillation in metres.")
    out.print(f"Results written to [bold]{output}[/]")


def print_coaching(coaching: dict[str, Any] | None) -> None:
    if not coaching:
        return
    default = " - the default event: give --event for the runner's own" if coaching.get("event_defaulted") else ""
    out.rule(f"Coaching: {coaching['event']} ({coaching['profile_label']}){default}")
    out.print(coaching["profile_summary"])
    knee = coaching["knee_lift"]
    ref = knee["reference_deg"]
    if knee["value_deg"] is not None:
        legs = coaching.get("legs") or {}
        left, right = ({"median": knee[f"{side}_deg"], "reliable": (legs.get(side) or {}).get("reliable")} for side in ("left", "right"))
        out.print(f"Knee lift (max thigh angle): [bold]{knee['value_deg']:.0f} deg[/] "
                  f"(L {_side(left, 0)}, R {_side(right, 0)}, +/- {_fmt(knee['uncertainty_deg'], 1)}); "
                  f"reference {ref.get('low')}-{ref.get('high')} deg"
                  + ("; * poorly tracked leg, not in the headline" if False in (left["reliable"], right["reliable"]) else ""))  # fmt: skip
        if knee.get("speed_note"):
            out.print(knee["speed_note"])
    groups = [("consensus", "Both coaches agree")] + [(k, v["name"]) for k, v in coaching["positions"].items()]
    for key, title in groups:
        found = [f for f in coaching["findings"] if f["position"] == key]
        statement = coaching["positions"][key]["statement"] if key in coaching["positions"] else ""
        out.print(f"\n[bold]{title}[/]" + (f": {statement}" if statement else ""))
        if not found:
            out.print("  no finding beyond measurement noise")
        for f in map(readable_finding, found):
            colour = {"major": "red", "moderate": "yellow"}.get(f["severity"], "cyan")
            out.print(f"  [{colour}]{f['severity']}[/] " + sentence(
                f"{f['title']}: {f['value_text']} +/- {f['uncertainty_text']} (reference: {f['reference_text']})", f["advice"],
                "Sources: " + "; ".join(src["reference"].split(".")[0] for src in f["source"])))  # fmt: skip
    prog = coaching["programme"]
    if prog.get("choose"):
        out.print(f"\n[bold]Which programme?[/] {prog['choose']}")
    if prog.get("progression"):
        out.print(prog["progression"])
    for variant, weeks in prog["variants"].items():
        label = "Programme" if variant == "consensus" else f"Programme, position {variant.upper()}"
        n = prog["weeks"]
        out.print(f"\n[bold]{label}[/] ({n} week{'s' if n != 1 else ''}, {prog['sessions_per_week']} sessions/week)")
        if weeks and weeks[0].get("focus"):
            out.print("  focus: " + "; ".join(weeks[0]["focus"]))
        for week in weeks:
            drills = ", ".join(f"{d['name']} {d['dose']}" for d in week["drills"])
            out.print(f"  week {week['week']} (phase: weeks {week['phase']}): {drills}"
                      + ("  [bold]-> retest[/]" if week["retest"] else ""))  # fmt: skip
    out.print(f"\n[bold]Retest:[/] {prog['retest']['filming']} Then compare the two analyses: {prog['retest']['compare_command']}")


def print_comparison(result: dict[str, Any]) -> None:
    table = Table(title=f"{result['before_label']} vs {result['after_label']} (a change counts only beyond MDC95)")
    for col in ("metric", "before", "after", "change", "MDC95", "verdict"):
        table.add_column(col, justify="left" if col in ("metric", "verdict") else "right")
    for row in result["metrics"]:
        style = {"improved": "green", "worse": "red"}.get(row["verdict"], "")
        table.add_row(row["name"], f"{row['before']:.3g}", f"{row['after']:.3g}", f"{row['change']:+.3g}",
                      "-" if row["mdc95"] is None else f"{row['mdc95']:.3g}", f"[{style}]{row['verdict']}[/]" if style else row["verdict"])  # fmt: skip
    for warning in result["warnings"]:  # before the table: they say how to read it
        out.print(f"[yellow]warning[/] {warning}")
    out.print(table)
    titles = result.get("finding_titles", {})
    if result["resolved_findings"]:
        out.print("Findings no longer present: " + finding_list(result["resolved_findings"], titles))
    if result.get("not_comparable_findings"):
        reason = result.get("not_comparable_reason", "not measured in the retest")
        out.print(f"Findings gone, but {reason} (cannot say whether they are resolved): "
                  + finding_list(result["not_comparable_findings"], titles))  # fmt: skip
    if result.get("new_findings"):
        out.print("New findings: " + finding_list(result["new_findings"], titles))
