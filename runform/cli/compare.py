"""``runform compare``: what changed between two sessions beyond the minimal detectable change."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from runform.cli.common import guard, out
from runform.cli.render import print_comparison


def compare(
    before: Annotated[Path, typer.Argument(metavar="BEFORE", help="First session: its output folder or analysis.json.")],
    after: Annotated[Path, typer.Argument(metavar="AFTER", help="Retest: its output folder or analysis.json.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON.")] = False,
    report: Annotated[Path | None, typer.Option("--report", help="Also write a before/after HTML report here.")] = None,
) -> None:
    """Say what changed between two sessions beyond the minimal detectable change (MDC95)."""

    def show() -> None:
        from runform.pipeline import compare_sessions  # imported on use: keeps --help fast

        result = compare_sessions(before, after, report)
        if as_json:
            out.print_json(json.dumps(result))
        else:
            print_comparison(result)

    guard(show)
