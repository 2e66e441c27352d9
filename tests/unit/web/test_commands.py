"""`runform user` and `runform serve` with a bad database URL, an unreachable database or a data
folder that is a file: the OptionError message (exit 3), no traceback, never the URL's password."""

from __future__ import annotations

import pytest
from fixtures.web import free_port
from typer.testing import CliRunner

PASSWORD = "Sup3r-secret-pw"
COMMANDS = {"user list": ["user", "list"], "user add": ["user", "add", "coach@club.test", "--password-stdin"], "serve": ["serve"]}


def _squash(text: str) -> str:
    """No whitespace: Rich wraps the message at the terminal's width, inside long paths too."""
    return "".join(text.split())


@pytest.fixture
def invoke(monkeypatch):  # noqa: ANN201
    """Run a command as the user would; `runform serve` must fail before it starts a server."""
    import uvicorn

    from runform.cli import app

    def no_server(*args: object, **kwargs: object) -> None:
        raise AssertionError("runform serve started a server despite the configuration error")

    monkeypatch.setattr(uvicorn, "run", no_server)
    monkeypatch.delenv("RUNFORM_DATABASE_URL", raising=False)
    return lambda args: CliRunner().invoke(app, args, input="long enough secret\n")


def _assert_option_error(result, *needles: str) -> None:  # noqa: ANN001
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output and "Error (OptionError, exit 3)" in result.output, result.output
    for needle in needles:
        assert _squash(needle) in _squash(result.output), (needle, result.output)


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_a_url_that_is_not_a_database_is_an_option_error(invoke, tmp_path, command):
    result = invoke([*command, "--data-dir", str(tmp_path / "data"), "--database-url", "nonsense://x"])
    _assert_option_error(result, "The database URL cannot be used", "nonsense://x", "--database-url or RUNFORM_DATABASE_URL")
    assert "NoSuchModuleError" not in result.output


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_an_unreachable_database_is_an_option_error_without_the_password(invoke, tmp_path, command):
    port = free_port()  # nothing listens there: the connection is refused
    url = f"postgresql+psycopg://coach:{PASSWORD}@127.0.0.1:{port}/runform"
    result = invoke([*command, "--data-dir", str(tmp_path / "data"), "--database-url", url])
    _assert_option_error(result, "The database cannot be opened", f"postgresql+psycopg://coach:***@127.0.0.1:{port}/runform",
                         "Connection refused", f"running at 127.0.0.1:{port}", "RUNFORM_DATABASE_URL")  # fmt: skip
    assert PASSWORD not in _squash(result.output) and "OperationalError" not in result.output


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_a_data_folder_that_is_a_file_is_an_option_error(invoke, tmp_path, command):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file")
    for data_dir in (blocker, blocker / "data"):
        result = invoke([*command, "--data-dir", str(data_dir)])
        _assert_option_error(result, "The data folder cannot be used", f"{blocker} is a file, not a folder", "RUNFORM_DATA_DIR")
        assert "FileExistsError" not in result.output and "NotADirectoryError" not in result.output


def test_a_sqlite_file_in_a_missing_folder_is_an_option_error(invoke, tmp_path):
    url = f"sqlite:///{tmp_path / 'missing' / 'runform.sqlite3'}"
    result = invoke(["user", "list", "--data-dir", str(tmp_path / "data"), "--database-url", url])
    _assert_option_error(result, "The database cannot be opened", "unable to open database file", str(tmp_path / "missing"))


def test_safe_url_masks_the_password_even_of_an_unparsable_url():
    from runform.web.db import safe_url

    assert safe_url(f"postgresql+psycopg://coach:{PASSWORD}@db.club.test/runform") == "postgresql+psycopg://coach:***@db.club.test/runform"
    assert PASSWORD not in safe_url(f"postgresql+psycopg://coach:{PASSWORD}@db.club.test:notaport/runform")


def test_a_url_with_a_bad_port_is_an_option_error(invoke, tmp_path):
    url = f"postgresql+psycopg://coach:{PASSWORD}@db.club.test:notaport/runform"
    result = invoke(["user", "list", "--data-dir", str(tmp_path / "data"), "--database-url", url])
    _assert_option_error(result, "The database URL cannot be used", "coach:***@db.club.test:notaport")
    assert PASSWORD not in _squash(result.output)
