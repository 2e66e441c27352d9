"""Server-rendered pages (Jinja2, no JavaScript needed): login, athletes, athlete timeline with
trends, session, compare, programme, coaches (admin). Every form POST is CSRF-checked."""

from __future__ import annotations

import json
import logging
from datetime import date
from importlib import resources
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from runform.config import EVENT_NAMES
from runform.errors import RunformError
from runform.web import services
from runform.web.api import compare_rows, latest_analysis
from runform.web.deps import DB_SESSION, page_user, require_csrf
from runform.web.models import User
from runform.web.security import authenticate, csrf_token
from runform.web.trends import svg_plot, trend
from runform.web.users import create_user, list_users

__all__ = ["PageError", "PageNotFound", "render", "router"]

logger = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
_TEMPLATES = Jinja2Templates(directory=str(resources.files("runform.web") / "templates"))
_MAX_ID = 2**31 - 1


class PageNotFound(Exception):
    pass


class PageError(Exception):
    def __init__(self, message: str, status_code: int = 400) -> None:
        super().__init__(message)
        self.message, self.status_code = message, status_code


def render(request: Request, name: str, context: dict, status_code: int = 200) -> HTMLResponse:
    flashes = request.session.pop("flash", [])
    base = {"csrf": csrf_token(request.session), "flashes": flashes, "events": EVENT_NAMES,
            "user": context.pop("user", None)}  # fmt: skip
    return _TEMPLATES.TemplateResponse(request, name, base | context, status_code=status_code)


def _flash(request: Request, message: str, kind: str = "info") -> None:
    request.session.setdefault("flash", []).append({"kind": kind, "message": message})
    request.session["flash"] = request.session["flash"]


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _athlete(db: Session, user: User, athlete_id: int):  # noqa: ANN202
    return _owned(services.get_athlete, db, user, athlete_id)


def _session(db: Session, user: User, session_id: int):  # noqa: ANN202
    return _owned(services.get_session, db, user, session_id)


def _owned(get, db: Session, user: User, item_id: int):  # noqa: ANN001, ANN202
    """``get(db, user, item_id)`` (the coach's own row), or the not-found page; ids outside the
    database's range are not looked up."""
    try:
        if not 1 <= item_id <= _MAX_ID:
            raise services.NotFound(item_id)
        return get(db, user, item_id)
    except services.NotFound:
        raise PageNotFound() from None


# login -------------------------------------------------------------------------------------------
@router.get("/login")
def login_page(request: Request) -> HTMLResponse:
    return render(request, "login.html", {})


@router.post("/login", dependencies=[Depends(require_csrf)])
def login(request: Request, email: Annotated[str, Form(max_length=254)] = "", password: Annotated[str, Form(max_length=1024)] = "",
          db: Session = DB_SESSION) -> Response:  # fmt: skip
    user = None if "\x00" in email + password else authenticate(db, email, password)
    if user is None:
        return render(request, "login.html", {"error": "Wrong e-mail or password.", "email": email}, status_code=401)
    request.session.clear()  # a new session (and CSRF token) after login
    request.session["user_id"] = user.id
    return _redirect("/")


@router.post("/logout", dependencies=[Depends(require_csrf)])
def logout(request: Request) -> Response:
    request.session.clear()
    return _redirect("/login")


# athletes ----------------------------------------------------------------------------------------
@router.get("/")
def athletes_page(request: Request, user: User = Depends(page_user), db: Session = DB_SESSION) -> HTMLResponse:
    return render(request, "athletes.html", {"user": user, "athletes": services.list_athletes(db, user)})


@router.post("/athletes", dependencies=[Depends(require_csrf)])
def add_athlete(
    request: Request, name: Annotated[str, Form(max_length=200)], height_m: Annotated[str, Form(max_length=16)] = "",
    event: Annotated[str, Form(max_length=32)] = "", notes: Annotated[str, Form(max_length=5000)] = "",
    user: User = Depends(page_user), db: Session = DB_SESSION,
) -> Response:  # fmt: skip
    name, height = _athlete_form(name, height_m)
    try:
        athlete = services.create_athlete(db, user, name, height, event or None, notes.replace("\x00", ""))
    except RunformError as exc:
        raise PageError(exc.message, 422) from None
    _flash(request, f"Athlete {athlete.name} created.")
    return _redirect(f"/athletes/{athlete.id}")


def _athlete_form(name: str, height_m: str) -> tuple[str, float | None]:
    """The athlete form's name (printable, not empty) and height (metres or empty), or a PageError."""
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    if not name:
        raise PageError("Give the athlete a name.", 422)
    try:
        return name, float(height_m) if height_m.strip() else None
    except ValueError:
        raise PageError(f"Height '{height_m}' is not a number: give metres, e.g. 1.78.", 422) from None


@router.post("/athletes/{athlete_id}/edit", dependencies=[Depends(require_csrf)])
def edit_athlete(
    athlete_id: int, request: Request, name: Annotated[str, Form(max_length=200)], height_m: Annotated[str, Form(max_length=16)] = "",
    event: Annotated[str, Form(max_length=32)] = "", notes: Annotated[str, Form(max_length=5000)] = "",
    user: User = Depends(page_user), db: Session = DB_SESSION,
) -> Response:  # fmt: skip
    athlete = _athlete(db, user, athlete_id)
    name, height = _athlete_form(name, height_m)
    try:
        services.update_athlete(db, athlete, name, height, event or None, notes.replace("\x00", ""))
    except RunformError as exc:
        raise PageError(exc.message, 422) from None
    _flash(request, f"{athlete.name} saved: later analyses use it; re-analyse a finished session to apply it there.")
    return _redirect(f"/athletes/{athlete.id}")


@router.get("/athletes/{athlete_id}")
def athlete_page(athlete_id: int, request: Request, user: User = Depends(page_user), db: Session = DB_SESSION) -> HTMLResponse:
    athlete = _athlete(db, user, athlete_id)
    data = trend(athlete)
    plots = [{"label": m["label"], "unit": m["unit"], "band": m["band"], "svg": svg_plot(m)} for m in data["metrics"]]
    busy = any(s.status in ("queued", "running") for s in athlete.sessions)
    done = [s for s in athlete.sessions if s.status == "done"]
    errors = {s.id: services.public_error(s) for s in athlete.sessions}
    return render(request, "athlete.html", {"user": user, "athlete": athlete, "trend": data, "plots": plots, "errors": errors,
                                            "busy": busy, "done": done, "today": date.today().isoformat()})  # fmt: skip


@router.post("/athletes/{athlete_id}/sessions", dependencies=[Depends(require_csrf)])
def upload(
    athlete_id: int, request: Request, file: UploadFile, session_date: Annotated[str, Form(max_length=10)] = "",
    treadmill_speed: Annotated[str, Form(max_length=32)] = "", conditions: Annotated[str, Form(max_length=2000)] = "",
    user: User = Depends(page_user), db: Session = DB_SESSION,
) -> Response:  # fmt: skip
    athlete = _athlete(db, user, athlete_id)
    try:
        when = date.fromisoformat(session_date) if session_date else None
    except ValueError:
        raise PageError(f"Date '{session_date}' is not a date: use YYYY-MM-DD.", 422) from None
    try:
        row = services.add_session(db, request.app.state.settings, athlete, file.file, file.filename, when,
                                   treadmill_speed or None, conditions.replace("\x00", ""))  # fmt: skip
    except RunformError as exc:
        status = getattr(exc, "status_code", 422)
        raise PageError(exc.message, status) from None
    db.commit()
    request.app.state.jobs.wake()
    _flash(request, f"{row.original_name} uploaded: the analysis is queued.")
    return _redirect(f"/sessions/{row.id}")


@router.post("/athletes/{athlete_id}/delete", dependencies=[Depends(require_csrf)])
def remove_athlete(athlete_id: int, request: Request, user: User = Depends(page_user), db: Session = DB_SESSION) -> Response:
    athlete = _athlete(db, user, athlete_id)
    services.delete_athlete(db, request.app.state.settings, athlete)
    _flash(request, f"Athlete {athlete.name} and all their sessions were deleted.")
    return _redirect("/")


@router.get("/athletes/{athlete_id}/programme")
def programme_page(athlete_id: int, request: Request, user: User = Depends(page_user), db: Session = DB_SESSION) -> HTMLResponse:
    athlete = _athlete(db, user, athlete_id)
    latest = latest_analysis(request.app.state.settings, athlete)
    coaching = (latest[1].get("coaching") or {}) if latest else {}
    return render(request, "programme.html", {"user": user, "athlete": athlete, "session_id": latest[0] if latest else None,
                                              "programme": coaching.get("programme"), "coaching": coaching})  # fmt: skip


@router.get("/athletes/{athlete_id}/compare")
def compare_page(athlete_id: int, before: int, after: int, request: Request, user: User = Depends(page_user),
                 db: Session = DB_SESSION) -> HTMLResponse:  # fmt: skip
    athlete = _athlete(db, user, athlete_id)
    if not all(any(s.id == sid for s in athlete.sessions) for sid in (before, after)):
        raise PageNotFound()
    try:
        result, _ = compare_rows(request, db, user, before, after)
    except HTTPException as exc:
        raise PageError(str(exc.detail), exc.status_code) from None
    return render(request, "compare.html", {"user": user, "athlete": athlete, "result": result})


@router.get("/athletes/{athlete_id}/compare/report.html")
def compare_report(athlete_id: int, before: int, after: int, request: Request, user: User = Depends(page_user),
                   db: Session = DB_SESSION) -> HTMLResponse:  # fmt: skip
    athlete = _athlete(db, user, athlete_id)
    if not all(any(s.id == sid for s in athlete.sessions) for sid in (before, after)):
        raise PageNotFound()
    try:
        _, html = compare_rows(request, db, user, before, after, report=True)
    except HTTPException as exc:
        raise PageError(str(exc.detail), exc.status_code) from None
    return HTMLResponse(html or "")


# sessions ----------------------------------------------------------------------------------------
@router.get("/sessions/{session_id}")
def session_page(session_id: int, request: Request, user: User = Depends(page_user), db: Session = DB_SESSION) -> HTMLResponse:
    row = _session(db, user, session_id)
    analysis = None
    if row.status == "done":
        try:
            analysis = json.loads(services.session_file(request.app.state.settings, row, "analysis.json").read_text(encoding="utf-8"))
        except services.NotFound:
            analysis = None
    has_video = analysis is not None and _has(request, row, "annotated.mp4")
    return render(request, "session.html", {"user": user, "row": row, "athlete": row.athlete, "analysis": analysis,
                                            "coaching": (analysis or {}).get("coaching") or {}, "has_video": has_video,
                                            "error": services.public_error(row),
                                            "has_diagnostic": _has(request, row, "diagnostic.html"),
                                            "diagnostic_url": services.diagnostic_url(row),
                                            "refresh": row.status in ("queued", "running")})  # fmt: skip


def _has(request: Request, row, name: str) -> bool:  # noqa: ANN001
    try:
        services.session_file(request.app.state.settings, row, name)
    except services.NotFound:
        return False
    return True


@router.post("/sessions/{session_id}/reanalyse", dependencies=[Depends(require_csrf)])
def reanalyse(session_id: int, request: Request, user: User = Depends(page_user), db: Session = DB_SESSION) -> Response:
    row = _session(db, user, session_id)
    try:
        services.reanalyse_session(db, request.app.state.settings, row)
    except services.Busy:
        raise PageError(f"This session is {row.status}: wait until it has finished.", 409) from None
    db.commit()
    request.app.state.jobs.wake()
    _flash(request, "Queued again with the athlete's current height and event.")
    return _redirect(f"/sessions/{session_id}")


@router.post("/sessions/{session_id}/delete", dependencies=[Depends(require_csrf)])
def remove_session(session_id: int, request: Request, user: User = Depends(page_user), db: Session = DB_SESSION) -> Response:
    row = _session(db, user, session_id)
    athlete_id = row.athlete_id
    services.delete_session(db, request.app.state.settings, row)
    _flash(request, "Session deleted with its files.")
    return _redirect(f"/athletes/{athlete_id}")


# coaches (admin) ---------------------------------------------------------------------------------
def _admin(user: User = Depends(page_user)) -> User:
    if not user.is_admin:
        raise PageError("Only an admin can manage coaches.", 403)
    return user


@router.get("/admin/coaches")
def coaches_page(request: Request, user: User = Depends(_admin), db: Session = DB_SESSION) -> HTMLResponse:
    return render(request, "coaches.html", {"user": user, "coaches": list_users(db)})


@router.post("/admin/coaches", dependencies=[Depends(require_csrf)])
def add_coach(request: Request, email: Annotated[str, Form(max_length=254)], password: Annotated[str, Form(max_length=1024)],
              admin: Annotated[bool, Form()] = False, user: User = Depends(_admin), db: Session = DB_SESSION) -> Response:  # fmt: skip
    try:
        coach = create_user(db, email.replace("\x00", ""), password, admin=admin)
    except RunformError as exc:
        raise PageError(exc.message, 422) from None
    _flash(request, f"Coach {coach.email} created.")
    return _redirect("/admin/coaches")


@router.post("/admin/coaches/{coach_id}/active", dependencies=[Depends(require_csrf)])
def toggle_coach(coach_id: int, request: Request, user: User = Depends(_admin), db: Session = DB_SESSION) -> Response:
    coach = db.get(User, coach_id) if 1 <= coach_id <= _MAX_ID else None
    if coach is None:
        raise PageNotFound()
    if coach.id == user.id:
        raise PageError("You cannot deactivate yourself.", 422)
    coach.is_active = not coach.is_active
    _flash(request, f"Coach {coach.email} {'activated' if coach.is_active else 'deactivated'}.")
    return _redirect("/admin/coaches")
