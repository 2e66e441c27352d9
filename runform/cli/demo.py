"""``runform demo``: analyse the bundled treadmill clip with no arguments."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from runform.cli.analyze import run_analysis
from runform.cli.common import guard


def demo(output: Annotated[Path, typer.Option("-o", "--output", metavar="FOLDER", help="Output folder.")] = Path("runform-demo")) -> None:
    """Analyse the bundled treadmill clip (MIT licence, see runform/data/) with no arguments."""
    clip = Path(str(resources.files("runform") / "data" / "treadmill_side_30fps.mp4"))
    guard(run_analysis, clip, output, event="10k")
