"""Coach accounts: create, list, deactivate, delete (used by ``runform user`` and the admin pages)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from runform.errors import OptionError
from runform.web.models import User
from runform.web.security import MIN_PASSWORD_LENGTH, hash_password

__all__ = ["create_user", "list_users", "normalise_email"]

_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,189}")


def normalise_email(email: str) -> str:
    text = email.strip().lower()
    if not _EMAIL.fullmatch(text):
        raise OptionError("Invalid e-mail address", expected="name@example.org", found=repr(email), fix="give a valid e-mail")
    return text


def create_user(db: Session, email: str, password: str, *, admin: bool = False) -> User:
    """A new coach. Raises OptionError for a bad e-mail, a short password or an e-mail in use."""
    email = normalise_email(email)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise OptionError("Password too short", expected=f"at least {MIN_PASSWORD_LENGTH} characters",
                          found=f"{len(password)} characters", fix="choose a longer password")  # fmt: skip
    if db.scalar(select(User).where(User.email == email)) is not None:
        raise OptionError(f"A coach with e-mail {email} already exists", expected="an e-mail not yet in use",
                          found=email, fix="choose another e-mail")  # fmt: skip
    user = User(email=email, password_hash=hash_password(password), is_admin=admin, is_active=True)
    db.add(user)
    db.flush()
    return user


def list_users(db: Session) -> list[User]:
    return list(db.scalars(select(User).order_by(User.email)))
