"""``runform serve``: the coach web app (FastAPI + uvicorn), offline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from runform.cli.common import console, guard


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0: the whole network; use HTTPS in front).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Clips, analyses and the SQLite file (default: $RUNFORM_DATA_DIR, else $XDG_DATA_HOME/runform, else ~/.local/share/runform).")] = None,
    database_url: Annotated[str | None, typer.Option("--database-url", help="SQLAlchemy URL, e.g. postgresql+psycopg://user:pw@host/db (default: $RUNFORM_DATABASE_URL or SQLite in the data dir).")] = None,
    workers: Annotated[int, typer.Option(help="Analyses run at the same time.", min=1, max=16)] = 1,
    max_upload_mb: Annotated[float | None, typer.Option("--max-upload-mb", help="Largest accepted clip, in MB (default: the web app's MAX_UPLOAD_MB, 500).", min=1)] = None,
    secure_cookies: Annotated[bool, typer.Option("--secure-cookies", help="Send the login cookie over HTTPS only (behind a TLS proxy).")] = False,
) -> None:
    """Start the coach web app: athletes, sessions, trends and programmes, with logins."""

    def start() -> None:
        import uvicorn

        from runform.web import create_app, load_settings, migrate

        limits = {} if max_upload_mb is None else {"max_upload_mb": max_upload_mb}  # the default: runform.web.settings' one
        settings = load_settings(data_dir, database_url, workers=workers, secure_cookies=secure_cookies, **limits)
        migrate(settings.database_url)  # a wrong URL or a stopped database: an OptionError here, not uvicorn's traceback
        console.print(f"runform coach on http://{host}:{port}  (data: {settings.data_dir})")
        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")

    guard(start)
