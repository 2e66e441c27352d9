"""Thin command-line interface (Typer + Rich): build a Config, call the pipeline, show results."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from runform.config import make_config
from runform.errors import Cancelled, OutputError, QualityRefused, RunformError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Running-form and knee-drive analysis.")
console = Console(stderr=True)
out = Console()

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


def _summary_table(analysis) -> Table:  # noqa: ANN001
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


def _run(source: Path, output: Path | None, **options: object) -> None:
    from runform.io.export import write_outputs
    from runform.pipeline import analyze

    config = make_config(**options)
    output = output or source.with_name(source.stem + "_runform")
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console, transient=True) as bar:  # fmt: skip
        task = bar.add_task(f"Analysing {source.name}", total=None)
        analysis = analyze(source, config, progress=lambda done, total: bar.update(task, completed=done, total=total))
    if analysis.quality.verdict_ == "refuse":
        reasons = "; ".join(c.message for c in analysis.quality.checks_ if c.verdict == "refuse")
        fixes = "; ".join(c.fix for c in analysis.quality.checks_ if c.verdict == "refuse" and c.fix)
        raise QualityRefused("The clip cannot be analysed reliably", found=reasons, fix=fixes)
    extra = None
    if config.write_report:
        from runform.report.html import write_report

        def extra(a, folder):  # noqa: ANN001, ANN202
            return write_report(a, folder, with_video=config.write_video)

    write_outputs(analysis, output, extra)
    out.print(_summary_table(analysis))
    for check in analysis.quality.checks_:
        if check.verdict != "pass":
            out.print(f"[yellow]warning[/] {check.name}: {check.message}. Fix: {check.fix}")
    _print_coaching(analysis.coaching)
    unit = analysis.calibration.length_unit
    if unit == "px":
        out.print("[yellow]Lengths are in pixels[/]: give --height, --treadmill-speed or --known-distance for metres.")
    out.print(f"Results written to [bold]{output}[/]")


def _print_coaching(coaching: dict | None) -> None:
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


def _guard(func, *args, **kwargs) -> None:  # noqa: ANN001
    try:
        func(*args, **kwargs)
    except KeyboardInterrupt:
        err = Cancelled("Interrupted", found="Ctrl-C", fix="run again; no output was written")
        console.print(f"[red]Cancelled:[/] {err.message}")
        raise typer.Exit(err.exit_code) from None
    except RunformError as err:
        console.print(f"[red]Error ({type(err).__name__}, exit {err.exit_code}):[/] {err.message}")
        raise typer.Exit(err.exit_code) from None


@app.command()
def analyze(
    source: Annotated[Path, typer.Argument(help="Side-view running video (mp4/mov/avi/mkv/webm) or keypoint CSV.")],
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Output folder.")] = None,
    height: Annotated[Optional[float], typer.Option("--height", help="Runner's height in metres, for scale.")] = None,
    treadmill_speed: Annotated[Optional[str], typer.Option("--treadmill-speed", help="Belt speed: 3.5 (m/s), 12.6km/h or 8mph.")] = None,
    known_distance: Annotated[Optional[str], typer.Option("--known-distance", help="x1,y1,x2,y2,metres: two image points a known distance apart.")] = None,
    event: Annotated[Optional[str], typer.Option("--event", help="Race event: 100m ... marathon, xc, trail, hill-sprint.")] = None,
    surface: Annotated[str, typer.Option("--surface", help="auto, treadmill or overground.")] = "auto",
    fast: Annotated[bool, typer.Option("--fast", help="Lighter pose model (model_complexity 0).")] = False,
    real_fps: Annotated[Optional[float], typer.Option("--real-fps", help="True capture rate of a slow-motion file.")] = None,
    name: Annotated[Optional[str], typer.Option("--name", help="Runner's name for the report.")] = None,
    weeks: Annotated[int, typer.Option("--weeks", help="Length of the knee-drive programme in weeks.")] = 6,
    report: Annotated[bool, typer.Option("--report/--no-report", help="Write report.html (and annotated.mp4).")] = True,
    video: Annotated[bool, typer.Option("--video/--no-video", help="Write the annotated video.")] = True,
    slow_motion: Annotated[float, typer.Option("--slow-motion", help="Annotated video played slower by this factor (1-8).")] = 1.0,
    person: Annotated[Optional[str], typer.Option("--person", help="Who to analyse: x,y (a point on the runner, pixels), left, right, largest; default: the runner.")] = None,
    start: Annotated[Optional[float], typer.Option("--start", help="Analyse from this time in seconds.")] = None,
    end: Annotated[Optional[float], typer.Option("--end", help="Analyse up to this time in seconds.")] = None,
) -> None:  # fmt: skip
    """Analyse one clip and write analysis.json, events.csv, strides.csv and keypoints.csv."""
    _guard(_run, source, output, height_m=height, treadmill_speed_mps=treadmill_speed, known_distance=known_distance,
           event=event, surface=surface, model_complexity=0 if fast else 1, real_fps=real_fps, runner_name=name,
           programme_weeks=weeks, write_report=report, write_video=video, slow_motion_factor=slow_motion,
           person=person, start_s=start, end_s=end)  # fmt: skip


@app.command()
def demo(output: Annotated[Path, typer.Option("-o", "--output", help="Output folder.")] = Path("runform-demo")) -> None:
    """Analyse the bundled treadmill clip (MIT licence, see runform/data/) with no arguments."""
    clip = Path(str(resources.files("runform") / "data" / "treadmill_side_30fps.mp4"))
    _guard(_run, clip, output, event="10k")


@app.command()
def compare(
    before: Annotated[Path, typer.Argument(help="analysis.json of the first session.")],
    after: Annotated[Path, typer.Argument(help="analysis.json of the retest.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON.")] = False,
    report: Annotated[Optional[Path], typer.Option("--report", help="Also write a before/after HTML report here.")] = None,
) -> None:
    """Say what changed between two sessions beyond the minimal detectable change (MDC95)."""

    def run() -> None:
        import json

        from runform.coaching.compare import compare as _compare
        from runform.coaching.compare import load_analysis

        first, second = load_analysis(before), load_analysis(after)
        result = _compare(first, second)
        if report is not None:
            from runform.report.html import render_comparison

            html = render_comparison(first, second, result, before.name, after.name)
            try:
                report.write_text(html, encoding="utf-8")
            except OSError as exc:
                raise OutputError(f"Cannot write {report}", found=exc.strerror or str(exc), fix="choose another path") from None
        if as_json:
            out.print_json(json.dumps(result))
            return
        table = Table(title="Before vs after (change counts only beyond MDC95)")
        for col in ("metric", "before", "after", "change", "MDC95", "verdict"):
            table.add_column(col, justify="left" if col in ("metric", "verdict") else "right")
        for row in result["metrics"]:
            style = {"improved": "green", "worse": "red"}.get(row["verdict"], "")
            table.add_row(row["metric"], f"{row['before']:.3g}", f"{row['after']:.3g}", f"{row['change']:+.3g}",
                          "-" if row["mdc95"] is None else f"{row['mdc95']:.3g}", f"[{style}]{row['verdict']}[/]" if style else row["verdict"])  # fmt: skip
        out.print(table)
        for warning in result["warnings"]:
            out.print(f"[yellow]warning[/] {warning}")
        if result["resolved_findings"]:
            out.print("Findings no longer present: " + ", ".join(result["resolved_findings"]))

    _guard(run)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
