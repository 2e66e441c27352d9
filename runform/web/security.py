"""Passwords (argon2id), API bearer tokens (random, stored as SHA-256) and CSRF tokens.

Browser sessions are a signed cookie (Starlette ``SessionMiddleware``, itsdangerous) holding the
user id and a per-session CSRF token; every form POST must carry that token.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from runform.web.models import ApiToken, User, utcnow

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "authenticate",
    "check_csrf",
    "csrf_token",
    "hash_password",
    "issue_token",
    "user_for_token",
    "verify_password",
]

MIN_PASSWORD_LENGTH = 8
_HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters


@functools.cache
def _dummy_hash() -> str:
    """A valid hash to verify against when the e-mail is unknown, so both cases take the same time
    (made at the first such login, not at import: argon2 takes a fraction of a second)."""
    return _HASHER.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(db: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, else None (constant work either way)."""
    user = db.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        verify_password(_dummy_hash(), password)
        return None
    if not verify_password(user.password_hash, password) or not user.is_active:
        return None
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(db: Session, user: User, lifetime_h: float) -> str:
    """A new bearer token for ``user`` (only its hash is stored); expired tokens are purged."""
    now = utcnow()
    db.execute(delete(ApiToken).where(ApiToken.expires_at < now))
    token = secrets.token_urlsafe(32)
    db.add(ApiToken(user_id=user.id, token_sha256=_sha256(token), created_at=now, expires_at=now + timedelta(hours=lifetime_h)))
    return token


def user_for_token(db: Session, token: str) -> User | None:
    row = db.scalar(select(ApiToken).where(ApiToken.token_sha256 == _sha256(token)))
    if row is None:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=utcnow().tzinfo)
    if expires < utcnow():
        return None
    user = db.get(User, row.user_id)
    return user if user is not None and user.is_active else None


def csrf_token(session: dict) -> str:
    """The browser session's CSRF token (created on first use)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check_csrf(session: dict, submitted: str | None) -> bool:
    expected = session.get("csrf")
    return bool(expected and submitted and hmac.compare_digest(expected, submitted))
