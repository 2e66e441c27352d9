"""Operations shared by the JSON API and the pages, always scoped to the calling coach: another
coach's athlete or session is simply not found (HTTP 404), never "forbidden"."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from runform.config import EVENT_NAMES, HEIGHT_RANGE_M, Config, make_config
from runform.errors import OptionError
from runform.web.models import Athlete, TrainingSession, User
from runform.web.settings import WebSettings
from runform.web.storage import (
    ANALYSIS_FILES,
    DIAGNOSTIC_FILES,
    DIAGNOSTIC_PAGE,
    OUTPUT_FILES,
    new_storage_key,
    out_dir,
    remove_session_files,
    safe_display_name,
    save_upload,
    session_dir,
)

__all__ = [
    "Busy",
    "NotFound",
    "add_session",
    "athlete_record",
    "create_athlete",
    "delete_athlete",
    "delete_session",
    "diagnostic_url",
    "export_athlete_zip",
    "get_athlete",
    "get_session",
    "list_athletes",
    "public_error",
    "reanalyse_session",
    "session_file",
    "session_record",
    "update_athlete",
    "utc_iso",
    "web_config",
]

logger = logging.getLogger(__name__)


class NotFound(LookupError):
    """No such athlete or session for this coach."""


def list_athletes(db: Session, user: User) -> list[Athlete]:
    return list(db.scalars(select(Athlete).where(Athlete.owner_id == user.id).order_by(Athlete.name, Athlete.id)))


def get_athlete(db: Session, user: User, athlete_id: int) -> Athlete:
    athlete = db.get(Athlete, athlete_id)
    if athlete is None or athlete.owner_id != user.id:
        raise NotFound(f"athlete {athlete_id}")
    return athlete


def get_session(db: Session, user: User, session_id: int) -> TrainingSession:
    row = db.get(TrainingSession, session_id)
    if row is None or row.athlete.owner_id != user.id:
        raise NotFound(f"session {session_id}")
    return row


#: The field of the API body / page form that sets an analysis option, and what a coach does about
#: a bad value (the analysis Config's own errors name the command-line flag and `runform analyze --help`).
_WEB_FIELDS = {
    "--event": ("event", f"choose one of {', '.join(EVENT_NAMES)}, or leave the event empty"),
    "--height": ("height_m", f"give the standing height in metres, {HEIGHT_RANGE_M[0]}-{HEIGHT_RANGE_M[1]} (e.g. 1.78), or leave it empty"),
    "--treadmill-speed": ("treadmill_speed", "give the belt speed with its unit, e.g. 12.6km/h, 3.5 (m/s) or 8mph, or leave it empty"),
}


def web_config(**options: object) -> Config:
    """:func:`runform.config.make_config` for the web: an OptionError names the form field and says
    which values are accepted, not the command-line flag."""
    try:
        return make_config(**options)
    except OptionError as exc:
        flag = next((f for f in _WEB_FIELDS if any(f in text for text in (exc.problem, exc.expected, exc.fix))), None)
        if flag is None:
            raise
        field, fix = _WEB_FIELDS[flag]
        raise OptionError(exc.problem.replace(flag, field), expected=exc.expected.replace(flag, field), found=exc.found,
                          fix=fix) from None  # fmt: skip


def create_athlete(db: Session, user: User, name: str, height_m: float | None, event: str | None, notes: str = "") -> Athlete:
    """Validates height and event with the analysis Config (OptionError when out of range)."""
    config = web_config(height_m=height_m, event=event or None)
    athlete = Athlete(owner_id=user.id, name=name.strip(), height_m=config.height_m, event=config.event, notes=notes or "")
    db.add(athlete)
    db.flush()
    return athlete


def update_athlete(db: Session, athlete: Athlete, name: str, height_m: float | None, event: str | None, notes: str = "") -> Athlete:
    """Correct an athlete's record (a mistyped height sets the scale of every later analysis);
    validated as at creation. Finished sessions keep their results: re-analyse them to apply it."""
    config = web_config(height_m=height_m, event=event or None)
    athlete.name, athlete.height_m, athlete.event, athlete.notes = name.strip(), config.height_m, config.event, notes or ""
    db.flush()
    return athlete


class Busy(Exception):
    """The session is queued or running: it cannot be re-analysed now."""


def reanalyse_session(db: Session, settings: WebSettings, row: TrainingSession) -> TrainingSession:
    """Queue a finished, refused or failed session again, with the athlete's current height and
    event; its earlier results are removed first (the clip is kept). Raises :class:`Busy`."""
    if row.status in ("queued", "running"):
        raise Busy(f"session {row.id} is {row.status}")
    shutil.rmtree(out_dir(settings.sessions_dir, row.storage_key), ignore_errors=True)
    row.status, row.progress, row.attempts, row.error, row.summary = "queued", 0.0, 0, None, None
    row.started_at = row.finished_at = None
    db.flush()
    return row


def add_session(
    db: Session, settings: WebSettings, athlete: Athlete, stream: BinaryIO, filename: str | None,
    session_date: date | None = None, treadmill_speed: str | float | None = None, conditions: str = "",
) -> TrainingSession:  # fmt: skip
    """Store an uploaded clip and queue its analysis. Raises UploadRejected or OptionError (nothing kept)."""
    speed = web_config(treadmill_speed_mps=treadmill_speed).treadmill_speed_mps if treadmill_speed not in (None, "") else None
    key = new_storage_key()
    path, size = save_upload(stream, filename, session_dir(settings.sessions_dir, key), settings.max_upload_bytes)
    row = TrainingSession(
        athlete_id=athlete.id, storage_key=key, clip_suffix=path.suffix, original_name=safe_display_name(filename),
        clip_bytes=size, session_date=session_date or date.today(), treadmill_speed_mps=speed,
        conditions=conditions or "", status="queued", progress=0.0, attempts=0,
    )  # fmt: skip
    db.add(row)
    try:
        db.flush()
    except Exception:
        remove_session_files(settings.sessions_dir, key)
        raise
    return row


def session_file(settings: WebSettings, row: TrainingSession, name: str) -> Path:
    """Path of one output file: the analysis files of a finished session, the diagnostic and its
    key frames of a refused one (NotFound otherwise)."""
    if not ((name in ANALYSIS_FILES and row.status == "done") or (name in DIAGNOSTIC_FILES and row.status == "refused")):
        raise NotFound(name)
    path = out_dir(settings.sessions_dir, row.storage_key) / name
    if not path.is_file():
        raise NotFound(name)
    return path


def delete_session(db: Session, settings: WebSettings, row: TrainingSession) -> None:
    """Delete the session's row, committed, then its files (a failed commit leaves both)."""
    key = row.storage_key
    db.delete(row)
    db.commit()
    remove_session_files(settings.sessions_dir, key)


def delete_athlete(db: Session, settings: WebSettings, athlete: Athlete) -> None:
    """Delete the athlete and their sessions, committed, then the sessions' files."""
    keys = [s.storage_key for s in athlete.sessions]
    db.delete(athlete)
    db.commit()
    for key in keys:
        remove_session_files(settings.sessions_dir, key)


#: A path into a session folder (``.../<storage key>[/rest]``), under this data folder or the one
#: the server had when the reason was stored; it ends at a space, quote, bracket, colon, comma or
#: semicolon (a final full stop is the sentence's).
_SESSION_PATH = re.compile(r"""(?:[A-Za-z]:)?[^\s'"():,;]*?(?P<key>[0-9a-f]{32})(?P<rest>[\\/][^\s'"():,;]*)?""")


def diagnostic_url(row: TrainingSession) -> str:
    """The app's URL of a refused session's diagnostic page."""
    return f"/api/sessions/{row.id}/{DIAGNOSTIC_PAGE}"


def public_error(row: TrainingSession) -> str | None:
    """Why the job failed or was refused, as coaches see it: no server paths. The pipeline's
    refusal points at its diagnostic file: that becomes the app's URL of it; the clip and the
    session folder become words."""
    return _SESSION_PATH.sub(lambda m: _path_words(m, row), row.error) if row.error else row.error


def _path_words(match: re.Match, row: TrainingSession) -> str:
    if match["key"] != row.storage_key:
        return match[0]
    rest = (match["rest"] or "").replace("\\", "/")
    stop = "." if rest.endswith(".") else ""
    rest = rest.removesuffix(".").lstrip("/")
    if rest == f"out/{DIAGNOSTIC_PAGE}":
        return diagnostic_url(row) + stop
    return ("the uploaded clip" if rest.startswith("clip") else "the session's folder") + stop


def utc_iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with its offset (``+00:00``). Times are stored in UTC; SQLite gives them
    back without a time zone, PostgreSQL in the connection's zone."""
    if moment is None:
        return None
    return (moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)).isoformat()


def athlete_record(athlete: Athlete) -> dict:
    return {"id": athlete.id, "name": athlete.name, "height_m": athlete.height_m, "event": athlete.event,
            "notes": athlete.notes, "created_at": utc_iso(athlete.created_at)}  # fmt: skip


def session_record(row: TrainingSession) -> dict:
    return {"id": row.id, "athlete_id": row.athlete_id, "date": row.session_date.isoformat(), "status": row.status,
            "progress": row.progress, "original_name": row.original_name, "treadmill_speed_mps": row.treadmill_speed_mps,
            "conditions": row.conditions, "attempts": row.attempts, "error": public_error(row),
            "created_at": utc_iso(row.created_at), "finished_at": utc_iso(row.finished_at)}  # fmt: skip


#: Files compressed in an export; the rest (videos, images) are stored as they are (they do not shrink).
COMPRESSED_SUFFIXES = (".json", ".csv", ".html", ".txt")


def export_athlete_zip(settings: WebSettings, athlete: Athlete, include_clips: bool = False) -> Path:
    """The athlete, every session's record and output files (and, on request, the clips), zipped
    into a temporary file in the data folder (not in memory: clips make it gigabytes); the caller
    removes it once sent."""
    handle, name = tempfile.mkstemp(prefix=".export-", suffix=".zip", dir=settings.data_dir)
    os.close(handle)
    path = Path(name)
    try:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            record = athlete_record(athlete) | {"sessions": [session_record(s) for s in athlete.sessions]}
            archive.writestr("athlete.json", json.dumps(record, indent=2))
            for row in athlete.sessions:
                prefix = f"session-{row.id}-{row.session_date.isoformat()}"
                folder = out_dir(settings.sessions_dir, row.storage_key)
                files = [(folder / name, name) for name in OUTPUT_FILES]
                clip = session_dir(settings.sessions_dir, row.storage_key) / f"clip{row.clip_suffix}"
                files += [(clip, clip.name)] if include_clips else []
                for source, arcname in files:
                    if source.is_file():
                        method = zipfile.ZIP_DEFLATED if source.suffix.lower() in COMPRESSED_SUFFIXES else zipfile.ZIP_STORED
                        archive.write(source, f"{prefix}/{arcname}", compress_type=method)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path
