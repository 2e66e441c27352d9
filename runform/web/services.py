"""Operations shared by the JSON API and the pages, always scoped to the calling coach: another
coach's athlete or session is simply not found (HTTP 404), never "forbidden"."""

from __future__ import annotations

import io
import json
import logging
import zipfile
from datetime import date
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from runform.config import make_config
from runform.web.models import Athlete, TrainingSession, User
from runform.web.settings import WebSettings
from runform.web.storage import (
    ANALYSIS_FILES,
    new_storage_key,
    out_dir,
    remove_session_files,
    safe_display_name,
    save_upload,
    session_dir,
)

__all__ = [
    "NotFound",
    "add_session",
    "athlete_record",
    "create_athlete",
    "delete_athlete",
    "delete_session",
    "export_athlete_zip",
    "get_athlete",
    "get_session",
    "list_athletes",
    "session_record",
    "session_file",
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


def create_athlete(db: Session, user: User, name: str, height_m: float | None, event: str | None, notes: str = "") -> Athlete:
    """Validates height and event with the analysis Config (OptionError when out of range)."""
    config = make_config(height_m=height_m, event=event or None)
    athlete = Athlete(owner_id=user.id, name=name.strip(), height_m=config.height_m, event=config.event, notes=notes or "")
    db.add(athlete)
    db.flush()
    return athlete


def add_session(
    db: Session, settings: WebSettings, athlete: Athlete, stream: BinaryIO, filename: str | None,
    session_date: date | None = None, treadmill_speed: str | float | None = None, conditions: str = "",
) -> TrainingSession:  # fmt: skip
    """Store an uploaded clip and queue its analysis. Raises UploadRejected or OptionError (nothing kept)."""
    speed = make_config(treadmill_speed_mps=treadmill_speed).treadmill_speed_mps if treadmill_speed not in (None, "") else None
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
    """Path of one output file of a finished session (NotFound otherwise)."""
    if name not in ANALYSIS_FILES or row.status != "done":
        raise NotFound(name)
    path = out_dir(settings.sessions_dir, row.storage_key) / name
    if not path.is_file():
        raise NotFound(name)
    return path


def delete_session(db: Session, settings: WebSettings, row: TrainingSession) -> None:
    key = row.storage_key
    db.delete(row)
    db.flush()
    remove_session_files(settings.sessions_dir, key)


def delete_athlete(db: Session, settings: WebSettings, athlete: Athlete) -> None:
    keys = [s.storage_key for s in athlete.sessions]
    db.delete(athlete)
    db.flush()
    for key in keys:
        remove_session_files(settings.sessions_dir, key)


def athlete_record(athlete: Athlete) -> dict:
    return {"id": athlete.id, "name": athlete.name, "height_m": athlete.height_m, "event": athlete.event,
            "notes": athlete.notes, "created_at": athlete.created_at.isoformat()}  # fmt: skip


def session_record(row: TrainingSession) -> dict:
    return {"id": row.id, "athlete_id": row.athlete_id, "date": row.session_date.isoformat(), "status": row.status,
            "progress": row.progress, "original_name": row.original_name, "treadmill_speed_mps": row.treadmill_speed_mps,
            "conditions": row.conditions, "attempts": row.attempts, "error": row.error,
            "created_at": row.created_at.isoformat() if row.created_at else None,
            "finished_at": row.finished_at.isoformat() if row.finished_at else None}  # fmt: skip


def export_athlete_zip(settings: WebSettings, athlete: Athlete, include_clips: bool = False) -> bytes:
    """The athlete, every session's record and output files (and, on request, the clips), zipped."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        record = athlete_record(athlete) | {"sessions": [session_record(s) for s in athlete.sessions]}
        archive.writestr("athlete.json", json.dumps(record, indent=2))
        for row in athlete.sessions:
            prefix = f"session-{row.id}-{row.session_date.isoformat()}"
            folder = out_dir(settings.sessions_dir, row.storage_key)
            for name in ANALYSIS_FILES:
                if (folder / name).is_file():
                    archive.write(folder / name, f"{prefix}/{name}")
            clip = session_dir(settings.sessions_dir, row.storage_key) / f"clip{row.clip_suffix}"
            if include_clips and clip.is_file():
                archive.write(clip, f"{prefix}/clip{row.clip_suffix}")
    return buffer.getvalue()
