"""``runform user``: manage coach accounts of the web app."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from runform.cli.common import guard, out
from runform.errors import OptionError

user_app = typer.Typer(add_completion=False, no_args_is_help=True, help="Coach accounts of `runform serve`.")

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="As for runform serve.")]
DatabaseUrl = Annotated[str | None, typer.Option("--database-url", help="As for runform serve.")]


def _database(data_dir: Path | None, database_url: str | None):  # noqa: ANN202
    from runform.web import Database, load_settings, migrate

    settings = load_settings(data_dir, database_url)
    migrate(settings.database_url)
    return Database(settings.database_url)


@user_app.command("add")
def add(
    email: Annotated[str, typer.Argument(help="The coach's e-mail (login name).")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input (first line).")] = False,
    admin: Annotated[bool, typer.Option("--admin", help="May manage coaches.")] = False,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a coach. The password is read from stdin (--password-stdin) or asked for."""

    def create() -> None:
        from runform.web.users import create_user

        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        if not password:
            raise OptionError("No password given", expected="a password on standard input", found="an empty line",
                              fix="echo 'secret' | runform user add EMAIL --password-stdin")  # fmt: skip
        database = _database(data_dir, database_url)
        try:
            with database.session() as db:
                user = create_user(db, email, password, admin=admin)
                out.print(f"coach {user.email} created{' (admin)' if admin else ''}")
        finally:
            database.dispose()

    guard(create)


@user_app.command("list")
def list_(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """List the coaches."""

    def show() -> None:
        from runform.web.users import list_users

        database = _database(data_dir, database_url)
        try:
            with database.session() as db:
                for u in list_users(db):
                    out.print(f"{u.email}\t{'admin' if u.is_admin else 'coach'}\t{'active' if u.is_active else 'inactive'}")
        finally:
            database.dispose()

    guard(show)
