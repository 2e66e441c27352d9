"""Engine, sessions and migrations. ``migrate(url)`` brings any database to the newest schema with
Alembic (the migrations ship in the package: ``runform/web/migrations``)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from runform.errors import OptionError

__all__ = ["Database", "migrate", "safe_url"]

logger = logging.getLogger(__name__)

#: Where the URL comes from, for the fix of a database error.
URL_SOURCES = "--database-url or RUNFORM_DATABASE_URL"
_URL_EXAMPLES = "sqlite:////path/to/runform.sqlite3 or postgresql+psycopg://user:password@host:5432/runform"
#: Default ports, to name the server a refused connection was meant for.
_DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306, "mariadb": 3306, "mssql": 1433, "oracle": 1521}


def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def migrate(url: str) -> None:
    """Upgrade the database at ``url`` to the newest Alembic revision. A URL that is not one, a
    missing driver or a database that cannot be reached raise OptionError (password masked)."""
    from alembic import command
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(resources.files("runform.web") / "migrations"))
    config.attributes["url"] = url
    with database_errors(url):
        command.upgrade(config, "head")
    logger.info("database at %s is at the newest schema", safe_url(url))


def safe_url(url: str) -> str:
    """The URL without its password, for messages and logs (also when SQLAlchemy cannot parse it)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        return re.sub(r"(//[^/:@]*:)[^/@]*@", r"\1***@", url)


@contextmanager
def database_errors(url: str) -> Iterator[None]:
    """Turn a bad URL, a missing driver or an unreachable database into an OptionError that says
    what to check; the password of the URL is never shown."""
    try:
        make_url(url)
    except (ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
        raise _url_error(url, exc) from None
    try:
        yield
    except ImportError as exc:
        if (exc.name or "").partition(".")[0] in ("runform", "alembic", "sqlalchemy"):
            raise  # a broken installation, not the URL's driver
        raise _url_error(url, exc) from None
    except ArgumentError as exc:  # NoSuchModuleError (unknown dialect) is an ArgumentError
        raise _url_error(url, exc) from None
    except DBAPIError as exc:  # OperationalError (refused, wrong password, no such file), InterfaceError...
        raise OptionError(
            "The database cannot be opened", expected=f"a reachable database at {safe_url(url)}",
            found=_scrub(url, _first_line(exc.orig if exc.orig is not None else exc)), fix=_connect_fix(make_url(url)),
        ) from None  # fmt: skip


def _url_error(url: str, exc: Exception) -> OptionError:
    """Not a SQLAlchemy URL, an unknown dialect or a driver that is not installed."""
    return OptionError(
        "The database URL cannot be used", expected=f"a SQLAlchemy URL such as {_URL_EXAMPLES}",
        found=f"{safe_url(url)} ({_scrub(url, _first_line(exc))})",
        fix=f"correct {URL_SOURCES} (PostgreSQL: the psycopg driver ships with runform, write postgresql+psycopg://)",
    )  # fmt: skip


def _connect_fix(url: URL) -> str:
    if url.get_backend_name() == "sqlite":
        return f"check that the folder of the SQLite file {url.database or '(in memory)'} exists and is writable, or correct {URL_SOURCES}"
    host = url.host or "localhost"
    port = url.port or _DEFAULT_PORTS.get(url.get_backend_name())
    where = f"{host}:{port}" if port else host
    return (f"is the database server running at {where} and accepting connections? Are the user, password "
            f"and database name ({url.database or 'none given'}) right? Check {URL_SOURCES}")  # fmt: skip


def _first_line(exc: BaseException) -> str:
    """The first non-empty line of an error (drivers add hints and links below it)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def _scrub(url: str, text: str) -> str:
    """``text`` with the URL's password replaced, should a driver ever repeat it (a password of
    one to three characters would mask ordinary letters; drivers do not repeat passwords anyway)."""
    try:
        password = make_url(url).password
    except (ArgumentError, ValueError):
        password = None
    return text.replace(password, "***") if password and len(password) >= 4 else text


class Database:
    """The engine and a session factory for one URL."""

    def __init__(self, url: str) -> None:
        self.url = url
        with database_errors(url):
            self.engine = _engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error."""
        with self.sessions() as db:
            try:
                yield db
                db.commit()
            except BaseException:
                db.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()
