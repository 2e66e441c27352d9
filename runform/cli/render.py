"""Rich rendering of results: the summary table, quality warnings, coaching and a retest comparison.
Presentation only: every value shown was computed by the pipeline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.table import Table

from runform.cli.common import out
from runform.model import Analysis

HEADLINE = [
    ("cadence_steps_per_min", "Cadence", "steps/min", 1),
    ("contact_time_s", "Contact time", "s", 3),
    ("flight_time_s", "Flight time", "s", 3),
    ("duty_factor", "Duty factor", "", 2),
    ("stride_length_m", "Stride length", "m", 2),
    ("stride_length_px", "Stride length", "px", 0),
    ("max_thigh_angle_deg", "Knee lift (max thigh angle)", "deg", 1),
    ("hip_extension_at_toe_off_deg", "Hip extension at toe-off", "deg", 1),
    ("peak_swing_knee_flexion_deg", "Heel recovery (peak swing knee flexion)", "deg", 1),
    ("knee_flexion_at_contact_deg", "Knee flexion at contact", "deg", 1),
    ("shank_angle_at_contact_deg", "Shank angle at contact", "deg", 1),
    ("foot_ahead_of_hip_cm", "Foot ahead of hip", "cm", 1),
    ("foot_ahead_of_hip_pct_leg", "Foot ahead of hip", "% leg", 1),
    ("vertical_oscillation_cm", "Vertical oscillation", "cm", 1),
    ("vertical_ratio_pct", "Vertical ratio", "%", 1),
    ("trunk_lean_deg", "Trunk lean", "deg", 1),
]


def _fmt(value: object, digits: int) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def summary_table(analysis: Analysis) -> Table:
    table = Table(title=f"runform: {Path(analysis.source).name}", show_lines=False)
    for col in ("metric", "unit", "value", "left", "right", "IQR", "n", "SI %"):
        table.add_column(col, justify="left" if col in ("metric", "unit") else "right")
    summary = analysis.summary
    for key, label, unit, digits in HEADLINE:
        if key not in summary:
            continue
        s = summary[key]
        si = s.get("symmetry_index_pct")
        table.add_row(label, unit, _fmt(s["value"], digits), _fmt(s["left"]["median"], digits),
                      _fmt(s["right"]["median"], digits), _fmt(s["iqr"], digits), str(s["n"]), _fmt(si, 1))  # fmt: skip
    return table


def print_analysis(analysis: Analysis, output: Path) -> None:
    """Summary table, quality warnings, coaching, a pixel-units hint and where the results are."""
    out.print(summary_table(analysis))
    for check in analysis.quality.checks:
        if check.verdict != "pass":
            out.print(f"[yellow]warning[/] {check.name}: {check.message}. Fix: {check.fix}")
    print_coaching(analysis.coaching)
    if analysis.calibration.length_unit == "px":
        out.print("[yellow]Lengths are in pixels[/]: give --height, --treadmill-speed or --known-distance for metres.")
    out.print(f"Results written to [bold]{output}[/]")


def print_coaching(coaching: dict[str, Any] | None) -> None:
    if not coaching:
        return
    out.rule(f"Coaching: {coaching['event']} ({coaching['profile_label']})")
    out.print(coaching["profile_summary"])
    knee = coaching["knee_lift"]
    ref = knee["reference_deg"]
    if knee["value_deg"] is not None:
        out.print(f"Knee lift (max thigh angle): [bold]{knee['value_deg']:.0f} deg[/] "
                  f"(L {_fmt(knee['left_deg'], 0)}, R {_fmt(knee['right_deg'], 0)}, +/- {_fmt(knee['uncertainty_deg'], 1)}); "
                  f"reference {ref.get('low')}-{ref.get('high')} deg")  # fmt: skip
    groups = [("consensus", "Both coaches agree")] + [(k, v["name"]) for k, v in coaching["positions"].items()]
    for key, title in groups:
        found = [f for f in coaching["findings"] if f["position"] == key]
        out.print(f"\n[bold]{title}[/]" + (f": {coaching['positions'][key]['statement']}" if key in coaching["positions"] else ""))
        if not found:
            out.print("  no finding beyond measurement noise")
        for f in found:
            out.print(f"  [{ {'major': 'red', 'moderate': 'yellow'}.get(f['severity'], 'cyan') }]{f['severity']}[/] {f['title']}: "
                      f"{f['metric']} = {f['value']} (+/- {f['uncertainty']}; {f['reference']}). {f['advice']}")  # fmt: skip
    prog = coaching["programme"]
    for variant, weeks in prog["variants"].items():
        label = "Programme" if variant == "consensus" else f"Programme, position {variant.upper()}"
        out.print(f"\n[bold]{label}[/] ({prog['weeks']} weeks, {prog['sessions_per_week']} sessions/week)")
        for week in weeks:
            drills = ", ".join(f"{d['name']} {d['dose']}" for d in week["drills"])
            out.print(f"  week {week['week']}: {drills}" + ("  [bold]-> retest[/]" if week["retest"] else ""))
    out.print(f"\n[bold]Retest:[/] {prog['retest']['filming']}")


def print_comparison(result: dict[str, Any]) -> None:
    table = Table(title=f"{result['before_label']} vs {result['after_label']} (a change counts only beyond MDC95)")
    for col in ("metric", "before", "after", "change", "MDC95", "verdict"):
        table.add_column(col, justify="left" if col in ("metric", "verdict") else "right")
    for row in result["metrics"]:
        style = {"improved": "green", "worse": "red"}.get(row["verdict"], "")
        table.add_row(row["name"], f"{row['before']:.3g}", f"{row['after']:.3g}", f"{row['change']:+.3g}",
                      "-" if row["mdc95"] is None else f"{row['mdc95']:.3g}", f"[{style}]{row['verdict']}[/]" if style else row["verdict"])  # fmt: skip
    out.print(table)
    for warning in result["warnings"]:
        out.print(f"[yellow]warning[/] {warning}")
    if result["resolved_findings"]:
        out.print("Findings no longer present: " + ", ".join(result["resolved_findings"]))
    if result.get("not_comparable_findings"):
        out.print("Not measured in the retest (cannot say whether they are gone): " + ", ".join(result["not_comparable_findings"]))
    if result.get("new_findings"):
        out.print("New findings: " + ", ".join(result["new_findings"]))
