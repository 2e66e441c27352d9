"""Thin command-line interface (Typer + Rich), one module per command: parse options, build a
Config, call the pipeline, render the results. No analysis logic here."""

from __future__ import annotations

import typer

from runform.cli.analyze import analyze
from runform.cli.compare import compare
from runform.cli.demo import demo
from runform.cli.serve import serve
from runform.cli.user import user_app

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Running-form and knee-drive analysis.")
app.command()(analyze)
app.command()(demo)
app.command()(compare)
app.command()(serve)
app.add_typer(user_app, name="user")


def main() -> None:
    app()


__all__ = ["app", "main"]
