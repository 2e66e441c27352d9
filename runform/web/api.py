"""The JSON API (``/api``), described by ``/openapi.json``. Contract in docs/WEB.md."""

from __future__ import annotations

import json
import logging
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, Response, UploadFile
from fastapi.responses import FileResponse
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from runform.errors import RunformError
from runform.web import services
from runform.web.deps import DB_SESSION, admin_user, api_user
from runform.web.models import User
from runform.web.schemas import AthleteIn, AthleteOut, CoachIn, CoachOut, SessionOut, Token
from runform.web.security import authenticate, issue_token
from runform.web.storage import OUTPUT_FILES, UploadRejected
from runform.web.users import create_user

__all__ = ["router"]

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api")
_NOT_FOUND = {404: {"description": "No such athlete or session for this coach"}}
_AUTH = {401: {"description": "No or invalid bearer token"}}
#: The output-file route's names (storage.OUTPUT_FILES): a done session's files, a refused one's diagnostic.
OutputName = Literal["analysis.json", "report.html", "annotated.mp4", "events.csv", "strides.csv", "keypoints.csv",
                     "diagnostic.html", "keyframe-1.png", "keyframe-2.png", "keyframe-3.png", "keyframe-4.png"]  # fmt: skip


def _id(value: int) -> int:
    if not 1 <= value <= 2**31 - 1:
        raise HTTPException(404, "Not found")
    return value


def _session_out(row) -> SessionOut:  # noqa: ANN001
    record = services.session_record(row)
    record["summary"] = (row.summary or {}).get("summary") if row.status == "done" else None
    return SessionOut(**record)


def rejected(exc: RunformError) -> HTTPException:
    status = exc.status_code if isinstance(exc, UploadRejected) else 422
    return HTTPException(status, exc.message)


@router.post("/auth/token", response_model=Token, responses={401: {"description": "Wrong e-mail or password"}})
def token(form: Annotated[OAuth2PasswordRequestForm, Depends()], request: Request, db: Session = DB_SESSION) -> Token:
    """OAuth2 password flow: ``username`` (e-mail) and ``password`` -> a bearer token."""
    user = None if "\x00" in form.username + form.password else authenticate(db, form.username, form.password)
    if user is None:
        raise HTTPException(401, "Wrong e-mail or password", headers={"WWW-Authenticate": "Bearer"})
    return Token(access_token=issue_token(db, user, request.app.state.settings.token_lifetime_h))


@router.get("/athletes", response_model=list[AthleteOut], responses=_AUTH)
def list_athletes(user: User = Depends(api_user), db: Session = DB_SESSION) -> list[AthleteOut]:
    return [AthleteOut(**services.athlete_record(a)) for a in services.list_athletes(db, user)]


@router.post("/athletes", status_code=201, response_model=AthleteOut, responses=_AUTH | {422: {"description": "Invalid"}})
def create_athlete(body: AthleteIn, user: User = Depends(api_user), db: Session = DB_SESSION) -> AthleteOut:
    try:
        athlete = services.create_athlete(db, user, body.name, body.height_m, body.event, body.notes)
    except RunformError as exc:
        raise rejected(exc) from None
    return AthleteOut(**services.athlete_record(athlete))


def _athlete(db: Session, user: User, athlete_id: int):  # noqa: ANN202
    try:
        return services.get_athlete(db, user, _id(athlete_id))
    except services.NotFound:
        raise HTTPException(404, "No such athlete") from None


def _session(db: Session, user: User, session_id: int):  # noqa: ANN202
    try:
        return services.get_session(db, user, _id(session_id))
    except services.NotFound:
        raise HTTPException(404, "No such session") from None


@router.get("/athletes/{athlete_id}", response_model=AthleteOut, responses=_AUTH | _NOT_FOUND)
def get_athlete(athlete_id: int, user: User = Depends(api_user), db: Session = DB_SESSION) -> AthleteOut:
    return AthleteOut(**services.athlete_record(_athlete(db, user, athlete_id)))


@router.put("/athletes/{athlete_id}", response_model=AthleteOut, responses=_AUTH | _NOT_FOUND | {422: {"description": "Invalid"}})
def update_athlete(athlete_id: int, body: AthleteIn, user: User = Depends(api_user),
                   db: Session = DB_SESSION) -> AthleteOut:  # fmt: skip
    """Correct the athlete's name, height, event or notes. Later analyses use them; a finished
    session keeps its results until it is re-analysed (``POST /api/sessions/{id}/reanalyse``)."""
    athlete = _athlete(db, user, athlete_id)
    try:
        services.update_athlete(db, athlete, body.name, body.height_m, body.event, body.notes)
    except RunformError as exc:
        raise rejected(exc) from None
    return AthleteOut(**services.athlete_record(athlete))


@router.delete("/athletes/{athlete_id}", status_code=204, responses=_AUTH | _NOT_FOUND)
def delete_athlete(athlete_id: int, request: Request, user: User = Depends(api_user), db: Session = DB_SESSION) -> Response:
    """Deletes the athlete, all sessions and all their files."""
    services.delete_athlete(db, request.app.state.settings, _athlete(db, user, athlete_id))
    return Response(status_code=204)


@router.get("/athletes/{athlete_id}/sessions", response_model=list[SessionOut], responses=_AUTH | _NOT_FOUND)
def list_sessions(athlete_id: int, user: User = Depends(api_user), db: Session = DB_SESSION) -> list[SessionOut]:
    return [_session_out(s) for s in _athlete(db, user, athlete_id).sessions]


@router.post("/athletes/{athlete_id}/sessions", status_code=202, response_model=SessionOut,
             responses=_AUTH | _NOT_FOUND | {413: {"description": "Too large"}, 415: {"description": "Not a video"}})  # fmt: skip
def upload_session(
    athlete_id: int,
    request: Request,
    file: Annotated[UploadFile, File(description="The clip (mp4, mov, avi, mkv, webm, m4v)")],
    session_date: Annotated[date | None, Form(alias="date")] = None,
    treadmill_speed: Annotated[str | None, Form(max_length=32, description="e.g. 12.6km/h, 3.5 (m/s), 8mph")] = None,
    conditions: Annotated[str, Form(max_length=2000)] = "",
    user: User = Depends(api_user),
    db: Session = DB_SESSION,
) -> SessionOut:
    """Store the clip and queue its analysis (202); poll ``GET /api/sessions/{id}``."""
    athlete = _athlete(db, user, athlete_id)
    try:
        row = services.add_session(db, request.app.state.settings, athlete, file.file, file.filename, session_date,
                                   treadmill_speed, conditions.replace("\x00", ""))  # fmt: skip
    except RunformError as exc:
        raise rejected(exc) from None
    db.commit()
    request.app.state.jobs.wake()
    return _session_out(row)


@router.get("/sessions/{session_id}", response_model=SessionOut, responses=_AUTH | _NOT_FOUND)
def get_session(session_id: int, user: User = Depends(api_user), db: Session = DB_SESSION) -> SessionOut:
    return _session_out(_session(db, user, session_id))


@router.post("/sessions/{session_id}/reanalyse", status_code=202, response_model=SessionOut,
             responses=_AUTH | _NOT_FOUND | {409: {"description": "The session is queued or running"}})  # fmt: skip
def reanalyse_session(session_id: int, request: Request, user: User = Depends(api_user),
                      db: Session = DB_SESSION) -> SessionOut:  # fmt: skip
    """Queue the session's clip again (202), with the athlete's current height and event: after a
    corrected height, or to retry a failed job. Its earlier results are removed."""
    row = _session(db, user, session_id)
    try:
        services.reanalyse_session(db, request.app.state.settings, row)
    except services.Busy:
        raise HTTPException(409, f"The session is {row.status}: wait until it has finished") from None
    db.commit()
    request.app.state.jobs.wake()
    return _session_out(row)


@router.delete("/sessions/{session_id}", status_code=204, responses=_AUTH | _NOT_FOUND)
def delete_session(session_id: int, request: Request, user: User = Depends(api_user), db: Session = DB_SESSION) -> Response:
    services.delete_session(db, request.app.state.settings, _session(db, user, session_id))
    return Response(status_code=204)


@router.get("/sessions/{session_id}/{name}", responses=_AUTH | _NOT_FOUND | {200: {"description": "The file"}},
            response_class=FileResponse)  # fmt: skip
def session_file(
    session_id: int,
    name: OutputName,
    request: Request,
    user: User = Depends(api_user),
    db: Session = DB_SESSION,
) -> FileResponse:
    """One output file of a finished analysis (404 while it is not done), or the diagnostic page
    of a refused clip and its key frames (404 unless refused)."""
    row = _session(db, user, session_id)
    try:
        path = services.session_file(request.app.state.settings, row, name)
    except services.NotFound:
        raise HTTPException(404, f"{name} is not available: the analysis is {row.status}") from None
    return FileResponse(path, media_type=OUTPUT_FILES[name])


@router.get("/athletes/{athlete_id}/trend", responses=_AUTH | _NOT_FOUND)
def trend(athlete_id: int, user: User = Depends(api_user), db: Session = DB_SESSION) -> dict:
    """Knee lift L/R, overstride, cadence and contact time across done sessions, with uncertainty and band."""
    from runform.web.trends import trend as build

    return build(_athlete(db, user, athlete_id))


@router.get("/athletes/{athlete_id}/programme", responses=_AUTH | _NOT_FOUND)
def programme(athlete_id: int, request: Request, user: User = Depends(api_user), db: Session = DB_SESSION) -> dict:
    """The knee-drive programme of the athlete's latest finished session (null when none)."""
    athlete = _athlete(db, user, athlete_id)
    latest = latest_analysis(request.app.state.settings, athlete)
    return {"athlete_id": athlete.id, "session_id": latest[0] if latest else None,
            "programme": ((latest[1].get("coaching") or {}).get("programme")) if latest else None}  # fmt: skip


def latest_analysis(settings, athlete) -> tuple[int, dict] | None:  # noqa: ANN001
    for row in sorted(athlete.sessions, key=lambda s: (s.session_date, s.id), reverse=True):
        try:
            path = services.session_file(settings, row, "analysis.json")
        except services.NotFound:
            continue
        return row.id, json.loads(path.read_text(encoding="utf-8"))
    return None


@router.get("/athletes/{athlete_id}/export.zip", responses=_AUTH | _NOT_FOUND | {200: {"content": {"application/zip": {}}}})
def export(athlete_id: int, request: Request, clips: bool = False, user: User = Depends(api_user),
           db: Session = DB_SESSION) -> Response:  # fmt: skip
    """The athlete's record, sessions and analysis files (``clips=true``: the clips too) as a zip."""
    athlete = _athlete(db, user, athlete_id)
    path = services.export_athlete_zip(request.app.state.settings, athlete, include_clips=clips)
    return FileResponse(path, media_type="application/zip", filename=f"athlete-{athlete.id}.zip",
                        background=BackgroundTask(path.unlink, missing_ok=True))  # fmt: skip


@router.get("/compare", responses=_AUTH | _NOT_FOUND)
def compare(before: int, after: int, request: Request, user: User = Depends(api_user), db: Session = DB_SESSION) -> dict:
    """``runform compare`` of two finished sessions: changes beyond MDC95."""
    return compare_rows(request, db, user, before, after)[0]


def compare_rows(request: Request, db: Session, user: User, before: int, after: int, report: bool = False) -> tuple[dict, str | None]:
    from runform.pipeline import compare_sessions

    settings = request.app.state.settings
    paths = []
    for sid in (before, after):
        row = _session(db, user, sid)
        try:
            paths.append(services.session_file(settings, row, "analysis.json"))
        except services.NotFound:
            raise HTTPException(409, f"session {sid} has no finished analysis ({row.status})") from None
    html = None
    with tempfile.TemporaryDirectory(prefix="runform-compare-") as tmp:
        target = Path(tmp) / "compare.html" if report else None
        try:
            result = compare_sessions(paths[0], paths[1], target)
        except RunformError as exc:
            raise HTTPException(422, exc.message) from None
        if target is not None:
            html = target.read_text(encoding="utf-8")
    return result | {"before": before, "after": after}, html


@router.get("/users", response_model=list[CoachOut], responses=_AUTH | {403: {"description": "Admins only"}})
def list_coaches(_: User = Depends(admin_user), db: Session = DB_SESSION) -> list[CoachOut]:
    return [CoachOut(id=u.id, email=u.email, is_admin=u.is_admin, is_active=u.is_active) for u in db.scalars(select(User).order_by(User.id))]


@router.post("/users", status_code=201, response_model=CoachOut, responses=_AUTH | {403: {"description": "Admins only"}})
def add_coach(body: CoachIn, _: User = Depends(admin_user), db: Session = DB_SESSION) -> CoachOut:
    try:
        u = create_user(db, body.email, body.password, admin=body.admin)
    except RunformError as exc:
        raise rejected(exc) from None
    return CoachOut(id=u.id, email=u.email, is_admin=u.is_admin, is_active=u.is_active)
