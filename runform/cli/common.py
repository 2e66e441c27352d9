"""What every command shares: the Rich consoles, warnings from the library's loggers, silencing
of native MediaPipe / TensorFlow Lite / absl output, and turning RunformError into an exit code."""

from __future__ import annotations

import io
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from runform.errors import Cancelled, RunformError

console = Console(stderr=True)  # progress, warnings and errors
out = Console()  # results

#: Loggers of third-party libraries whose lines never reach the terminal.
QUIET_LOGGERS = ("absl", "mediapipe", "tensorflow", "matplotlib", "PIL")


class _RichWarnings(logging.Handler):
    """Shows runform's warnings (a fallback and its reason) as ``warning: ...`` on the error console."""

    def emit(self, record: logging.LogRecord) -> None:
        style = "red" if record.levelno >= logging.ERROR else "yellow"
        console.print(f"[{style}]{record.levelname.lower()}[/] {escape(record.getMessage())}")


def setup_logging() -> None:
    """Route ``runform.*`` warnings to the console once; keep third-party loggers quiet."""
    os.environ.setdefault("GLOG_minloglevel", "2")  # MediaPipe's glog: errors only
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TensorFlow Lite
    logger = logging.getLogger("runform")
    logger.setLevel(logging.WARNING)
    if not any(isinstance(h, _RichWarnings) for h in logger.handlers):
        logger.addHandler(_RichWarnings())
    logger.propagate = False
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)


@contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Send what C/C++ code writes to file descriptor 2 (MediaPipe, TensorFlow Lite and absl log
    lines) to /dev/null while Python's ``sys.stderr`` (Rich, tracebacks) keeps the terminal."""
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):
        yield  # not a real file (captured by a test runner): nothing native can reach it
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    original = sys.stderr
    python_side = os.fdopen(os.dup(saved), "w", buffering=1, encoding=original.encoding or "utf-8",
                            errors="backslashreplace")  # fmt: skip
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)
    sys.stderr = python_side
    try:
        yield
    finally:
        python_side.flush()
        sys.stderr = original
        python_side.close()
        os.dup2(saved, fd)
        os.close(saved)


class Terminated(KeyboardInterrupt):
    """SIGTERM (``kill``, ``timeout``, ``docker stop``), raised in the main thread so that it unwinds
    like Ctrl-C: the pose worker process is stopped and temporary files removed."""


def _terminate(signum: int, frame: object) -> NoReturn:  # noqa: ARG001 - signal handler signature
    raise Terminated


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM unwinds like Ctrl-C (main thread only; elsewhere nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def guard(func: Callable[..., None], *args: object, **kwargs: object) -> None:
    """Run a command: RunformError -> its message and exit code; Ctrl-C or SIGTERM -> "Cancelled"
    (exit 130), after the same clean-up."""
    setup_logging()
    try:
        with sigterm_as_interrupt():
            func(*args, **kwargs)
    except Terminated:
        _exit(Cancelled("Interrupted", found="a termination signal (SIGTERM)", fix="run again; no output was written"))
    except KeyboardInterrupt:
        _exit(Cancelled("Interrupted", found="Ctrl-C", fix="run again; no output was written"))
    except RunformError as err:
        _exit(err)


def _exit(err: RunformError) -> NoReturn:
    """Print ``err`` (a Ctrl-C as "Cancelled") and exit with its code."""
    label = "Cancelled:" if isinstance(err, Cancelled) else f"Error ({type(err).__name__}, exit {err.exit_code}):"
    console.print(f"[red]{label}[/] {escape(err.message)}")
    raise typer.Exit(err.exit_code)
