"""``runform batch``: a folder or manifest of clips -> one output folder each, summary.csv, index.html."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from runform.cli.common import Terminated, console, guard, native_stderr_silenced, out
from runform.errors import OptionError, RunformError

if TYPE_CHECKING:
    from runform.batch import BatchItem

STATUS_STYLE = {"done": "green", "refused": "yellow", "failed": "red"}


def run_batch_command(source: Path, output: Path, workers: int | None, scheduler: str | None, **defaults: Any) -> None:
    """Read the inputs, run them on the Dask executor with a progress bar, print the tally.

    A bad option value is refused (OptionError) before anything is written or started; Ctrl-C
    stops the workers, removes what the clips in flight had written and says what is recorded."""
    from runform.batch import claim_names, earlier_rows, interrupted, pending_items, read_inputs

    if workers is not None and workers < 1:
        raise OptionError("Invalid number of workers", expected="1 or more", found=str(workers),
                          fix="give --workers 1 or more, or leave it out for one per core")  # fmt: skip
    inputs = read_inputs(source, defaults)  # checks the defaults as a job would
    earlier = earlier_rows(output.resolve())
    items = claim_names(inputs, output.resolve(), earlier)
    todo, _ = pending_items(items, output.resolve(), earlier)
    try:
        rows = _run_with_progress(items, len(todo), output, workers, scheduler)
    except KeyboardInterrupt as stop:  # the executor is shut down: no worker writes any more; clean up, say what is recorded
        raise interrupted(items, output, "a termination signal (SIGTERM)" if isinstance(stop, Terminated) else "Ctrl-C") from None
    _print_tally(rows, output, len(items) - len(todo))


def _run_with_progress(items: list[BatchItem], n_todo: int, output: Path, workers: int | None,
                       scheduler: str | None) -> list[dict[str, Any]]:  # fmt: skip
    """The batch on a Dask executor (started only when a clip is left to run) with a progress bar."""
    from runform.batch import make_executor, run_batch, scheduler_address

    if n_todo and scheduler_address(scheduler) is None:
        workers = min(workers or _cores(), n_todo)  # no idle worker processes for a short batch
    with native_stderr_silenced(), Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TimeRemainingColumn(), console=console, transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task(f"Batch of {len(items)} clips", total=len(items), completed=len(items) - n_todo)

        def advance(done: int, total: int, row: dict[str, Any]) -> None:
            bar.update(task, completed=done, total=total)
            style = STATUS_STYLE.get(row["status"], "white")
            console.print(f"[{style}]{row['status']:8s}[/] {row['name']}" + (f"  {row['reason']}" if row["reason"] else ""))

        if not n_todo:
            return run_batch(items, output, executor=None, progress=advance)  # type: ignore[arg-type]
        with make_executor(workers, scheduler) as executor:
            try:
                return run_batch(items, output, executor, advance)
            except KeyboardInterrupt:
                console.print("[yellow]Interrupted:[/] stopping the workers...")
                logging.getLogger("distributed").setLevel(logging.ERROR)  # its shutdown warnings are expected now
                raise


def _cores() -> int:
    from runform.batch import default_workers

    return default_workers()


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
