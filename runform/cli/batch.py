"""``runform batch``: a folder or manifest of clips -> one output folder each, summary.csv, index.html."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from runform.cli.common import Terminated, console, guard, native_stderr_silenced, out
from runform.errors import RunformError

if TYPE_CHECKING:
    from runform.batch import BatchItem

STATUS_STYLE = {"done": "green", "refused": "yellow", "failed": "red"}


def run_batch_command(source: Path, output: Path, workers: int | None, scheduler: str | None, **defaults: Any) -> None:
    """Read the inputs, run them on the Dask executor with a progress bar, print the tally.

    A bad option value is refused (OptionError) before anything is written or started; Ctrl-C
    stops the workers, removes what the clips in flight had written and says what is recorded."""
    from runform.batch import interrupted, read_inputs

    inputs = read_inputs(source, defaults)  # checks the defaults as a job would
    plan: dict[str, Any] = {"items": inputs, "skipped": 0}  # as the batch decides them, under its lock
    try:
        rows = _run_with_progress(inputs, output, workers, scheduler, plan)
    except KeyboardInterrupt as stop:  # the executor is shut down: no worker writes any more; clean up, say what is recorded
        raise interrupted(plan["items"], output, "a termination signal (SIGTERM)" if isinstance(stop, Terminated) else "Ctrl-C") from None
    _print_tally(rows, output, plan["skipped"])


def _run_with_progress(inputs: list[BatchItem], output: Path, workers: int | None, scheduler: str | None,
                       plan: dict[str, Any]) -> list[dict[str, Any]]:  # fmt: skip
    """The batch (:func:`runform.batch.run_from_inputs`) with a progress bar; ``plan``: gets the
    batch's items and how many an earlier run finished."""
    from runform.batch import run_from_inputs

    with native_stderr_silenced(), Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TimeRemainingColumn(), console=console, transient=True,
    ) as bar:  # fmt: skip
        task: list[TaskID] = []

        def started(items: list[BatchItem], n_todo: int) -> None:
            plan.update(items=items, skipped=len(items) - n_todo)
            task.append(bar.add_task(f"Batch of {len(items)} clips", total=len(items), completed=len(items) - n_todo))

        def advance(done: int, total: int, row: dict[str, Any]) -> None:
            bar.update(task[0], completed=done, total=total)
            style = STATUS_STYLE.get(row["status"], "white")
            console.print(f"[{style}]{row['status']:8s}[/] {row['name']}" + (f"  {row['reason']}" if row["reason"] else ""))

        def stopping() -> None:
            console.print("[yellow]Interrupted:[/] stopping the workers...")

        return run_from_inputs(inputs, output, workers, scheduler, advance, started, stopping)


def _print_tally(rows: list[dict[str, Any]], output: Path, skipped: int) -> None:
    table = Table(title=f"runform batch: {output}")
    for col in ("status", "clips"):
        table.add_column(col)
    for status, style in STATUS_STYLE.items():
        table.add_row(f"[{style}]{status}[/]", str(sum(r["status"] == status for r in rows)))
    out.print(table)
    if skipped:
        out.print(f"{skipped} clips were already finished by an earlier run and were skipped.")
    out.print(f"Summary: {output / 'summary.csv'} · reports: {output / 'index.html'}")
    failed = sum(r["status"] == "failed" for r in rows)
    if failed:
        raise RunformError(f"{failed} of {len(rows)} clips failed", expected="every clip analysed or refused",
                           found="their reasons are in summary.csv",
                           fix="fix or remove those inputs and run the same command again: finished clips are skipped")  # fmt: skip


def batch(
    source: Annotated[Path, typer.Argument(help="Folder of clips, or a manifest CSV (path, athlete, height_m, event, treadmill_speed, any analyse option).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Output folder: one subfolder per clip, summary.csv, index.html.")],
    workers: Annotated[int | None, typer.Option("--workers", help="Local Dask worker processes (default: one per core).")] = None,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Existing Dask scheduler, e.g. tcp://host:8786 (or RUNFORM_DASK_SCHEDULER).")] = None,
    height: Annotated[float | None, typer.Option("--height", help="Default runner height in metres (a manifest column overrides it).")] = None,
    treadmill_speed: Annotated[str | None, typer.Option("--treadmill-speed", help="Default belt speed: 3.5 (m/s), 12.6km/h or 8mph.")] = None,
    event: Annotated[str | None, typer.Option("--event", help="Default race event: 100m ... marathon, xc, trail, hill-sprint.")] = None,
    fast: Annotated[bool, typer.Option("--fast", help="Faster, less accurate pose (see README).")] = False,
    report: Annotated[bool, typer.Option("--report/--no-report", help="Write report.html (and annotated.mp4) per clip.")] = True,
    video: Annotated[bool, typer.Option("--video/--no-video", help="Write annotated.mp4 per clip.")] = True,
) -> None:  # fmt: skip
    """Analyse every clip of a folder or manifest on a Dask cluster (local or remote); resumable."""
    guard(run_batch_command, source, output, workers, scheduler, height_m=height, treadmill_speed_mps=treadmill_speed,
          event=event, fast=fast or None, write_report=None if report else False,
          write_video=None if video else False)  # fmt: skip
