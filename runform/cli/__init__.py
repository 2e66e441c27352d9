"""Thin command-line interface (Typer + Rich), one module per command: parse options, build a
Config, call the pipeline, render the results. No analysis logic here.

Exit codes (README.md): a usage error caught by the option parser (unknown option, missing
argument, a value of the wrong type) exits with 3, like any other bad option.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from runform.cli.analyze import analyze
from runform.cli.batch import batch
from runform.cli.compare import compare
from runform.cli.demo import demo
from runform.cli.serve import serve
from runform.cli.user import user_app
from runform.errors import OptionError
from runform.version import __version__

#: click's UsageError (typer.BadParameter's base class), whether typer vendors click or not.
UsageError = typer.BadParameter.__mro__[1]
#: Exit code of a usage error from the option parser (click's own is 2, which runform uses for bad input files).
USAGE_ERROR_EXIT = OptionError.exit_code


class RunformGroup(TyperGroup):
    """Typer's group with option-parser usage errors mapped to exit code 3 (bad option)."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except UsageError as err:
            _as_bad_option(err)
            raise

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as err:
            _as_bad_option(err)
            raise


def _as_bad_option(err: Exception) -> None:
    """Usage errors exit 3; ``runform`` alone prints the help and exits 0."""
    err.exit_code = 0 if type(err).__name__ == "NoArgsIsHelpError" else USAGE_ERROR_EXIT  # type: ignore[attr-defined]


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"runform {__version__}")
        raise typer.Exit(0)


app = typer.Typer(add_completion=False, no_args_is_help=True, cls=RunformGroup, rich_markup_mode=None,
                  help="Running-form and knee-drive analysis from a side-view video, offline.")  # fmt: skip


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", help="Show runform's version and exit.", is_eager=True,
                                          callback=_show_version)] = False,  # fmt: skip
) -> None:
    """Running-form and knee-drive analysis from a side-view video, offline."""


app.command()(analyze)
app.command()(demo)
app.command()(compare)
app.command()(batch)
app.command()(serve)
app.add_typer(user_app, name="user")


def main() -> None:
    app()


__all__ = ["USAGE_ERROR_EXIT", "RunformGroup", "app", "main"]
