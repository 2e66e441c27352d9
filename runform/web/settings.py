"""Server settings: data folder, database URL and limits, validated once.

Defaults: the data folder is ``$RUNFORM_DATA_DIR``, else ``$XDG_DATA_HOME/runform``, else
``~/.local/share/runform``; the database is ``$RUNFORM_DATABASE_URL``, else a SQLite file
``runform.sqlite3`` in the data folder.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path

from runform.errors import OptionError

__all__ = ["MAX_UPLOAD_MB", "WebSettings", "default_data_dir", "load_settings"]

#: Largest accepted clip upload. A 1-minute 4K phone clip is about 400 MB.
MAX_UPLOAD_MB = 500
#: Lifetime of an API bearer token.
TOKEN_LIFETIME_H = 24 * 30


def default_data_dir() -> Path:
    """``$RUNFORM_DATA_DIR``, else the per-user data folder (XDG)."""
    if os.environ.get("RUNFORM_DATA_DIR"):
        return Path(os.environ["RUNFORM_DATA_DIR"]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "runform"


@dataclass(frozen=True)
class WebSettings:
    """Everything the web app needs. Build with :func:`load_settings`."""

    data_dir: Path
    database_url: str
    max_upload_mb: float = MAX_UPLOAD_MB
    workers: int = 1
    token_lifetime_h: float = TOKEN_LIFETIME_H
    secure_cookies: bool = False
    session_secret: str = field(default="", repr=False)
    #: "process" (the batch executor) or "thread" (tests with a stub analyser)
    executor: str = "process"
    max_attempts: int = 2

    @property
    def sessions_dir(self) -> Path:
        return self.data_dir / "sessions"

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    def with_(self, **changes: object) -> WebSettings:
        return replace(self, **changes)  # type: ignore[arg-type]


def load_settings(data_dir: str | Path | None = None, database_url: str | None = None, **options: object) -> WebSettings:
    """Settings from arguments, then environment, then defaults; creates the data folder and the
    cookie-signing secret (``secret_key``, mode 0600) on first use."""
    folder = Path(data_dir).expanduser() if data_dir else default_data_dir()
    try:
        secret = _prepare_data_dir(folder)
    except OSError as exc:
        raise _data_dir_error(folder, exc) from None
    url = database_url or os.environ.get("RUNFORM_DATABASE_URL") or f"sqlite:///{(folder / 'runform.sqlite3').resolve()}"
    return WebSettings(data_dir=folder.resolve(), database_url=url, session_secret=secret, **options)  # type: ignore[arg-type]


def _prepare_data_dir(folder: Path) -> str:
    """Create the data folder, its ``sessions`` folder and the cookie-signing secret; return the secret."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sessions").mkdir(exist_ok=True)
    secret_file = folder / "secret_key"
    if not secret_file.exists():
        fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return secret_file.read_text().strip()


def _data_dir_error(folder: Path, exc: OSError) -> OptionError:
    """The data folder cannot be created or written: say which path is in the way and why."""
    failed = Path(exc.filename) if exc.filename else folder
    # os.path: False (not an error) for a path in a folder this user may not enter
    in_the_way = next((p for p in (failed, *failed.parents) if os.path.exists(p) and not os.path.isdir(p)), None)
    if in_the_way is not None:
        found, fix = f"{in_the_way} is a file, not a folder", "or move that file out of the way"
    else:
        found, fix = f"{failed}: {exc.strerror or exc}", "or let this user create and write it"
    return OptionError(
        "The data folder cannot be used",
        expected="a folder runform can create and write (clips, analyses, the SQLite file, the cookie key)",
        found=found,
        fix=f"give another folder with --data-dir or RUNFORM_DATA_DIR, {fix}",
    )
