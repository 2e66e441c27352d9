"""Request dependencies: the database session, the caller (bearer token or browser cookie) and
CSRF checks for forms."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from runform.web.models import User
from runform.web.security import check_csrf, user_for_token

__all__ = ["LoginRequired", "admin_user", "api_user", "db_session", "page_user", "require_csrf"]

_BEARER = HTTPBearer(auto_error=False, description="Token from POST /api/auth/token")
_SAFE_METHODS = ("GET", "HEAD")


class LoginRequired(Exception):
    """A page needs a logged-in coach: redirect to /login."""


def db_session(request: Request) -> Iterator[Session]:
    """The request's database session. Routes take it with ``scope="function"``: it commits when the
    route returns, before the response is sent (a redirect to a new athlete's page, a token or an
    id handed out, a deletion said to be done: all committed first)."""
    with request.app.state.db.session() as db:
        yield db


#: Every route's database session (``db: Session = DB_SESSION``): committed when the route returns.
DB_SESSION = Depends(db_session, scope="function")


def _cookie_user(request: Request, db: Session) -> User | None:
    user_id = request.session.get("user_id")
    if not isinstance(user_id, int):
        return None
    user = db.get(User, user_id)
    return user if user is not None and user.is_active else None


def api_user(
    request: Request, db: Session = DB_SESSION, credentials: HTTPAuthorizationCredentials | None = Depends(_BEARER)
) -> User:
    """The caller of an API route: a bearer token, or (GET only, so no CSRF risk) the browser cookie."""
    user = None
    if credentials is not None and credentials.scheme.lower() == "bearer":
        user = user_for_token(db, credentials.credentials)
    elif request.method in _SAFE_METHODS:
        user = _cookie_user(request, db)
    if user is None:
        raise HTTPException(401, "Not authenticated: log in or send 'Authorization: Bearer <token>'",
                            headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
    return user


def admin_user(user: User = Depends(api_user)) -> User:
    if not user.is_admin:
        raise HTTPException(403, "Only an admin can manage coaches")
    return user


def page_user(request: Request, db: Session = DB_SESSION) -> User:
    user = _cookie_user(request, db)
    if user is None:
        raise LoginRequired()
    return user


async def require_csrf(request: Request) -> None:
    """Every form POST carries the session's CSRF token in the ``csrf_token`` field."""
    form = await request.form()
    token = form.get("csrf_token")
    if not check_csrf(request.session, token if isinstance(token, str) else None):
        raise HTTPException(403, "The form has expired or did not come from this site (CSRF check failed): reload the page and try again")
