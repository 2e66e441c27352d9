"""Database tables (SQLAlchemy 2 declarative). Schema changes go through an Alembic migration in
``migrations/versions`` too; ``tests/unit/web/test_db.py`` checks both agree.

Ownership: a coach (``User``) owns athletes; an athlete owns training sessions; a session owns
its files under ``<data dir>/sessions/<storage_key>/`` (a generated name).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = ["JOB_STATES", "ApiToken", "Athlete", "Base", "TrainingSession", "User", "utcnow"]

#: Job states of a session's analysis.
JOB_STATES = ("queued", "running", "done", "failed", "refused")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class User(Base):
    """A coach (``is_admin``: may manage coaches)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    athletes: Mapped[list[Athlete]] = relationship(back_populates="owner", cascade="all, delete-orphan")


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Athlete(Base):
    __tablename__ = "athletes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    height_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    event: Mapped[str | None] = mapped_column(String(32), nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    owner: Mapped[User] = relationship(back_populates="athletes")
    sessions: Mapped[list[TrainingSession]] = relationship(
        back_populates="athlete", cascade="all, delete-orphan", order_by="(TrainingSession.session_date, TrainingSession.id)"
    )


class TrainingSession(Base):
    """One clip of one athlete and its analysis job (state, attempts, result summary)."""

    __tablename__ = "training_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athletes.id", ondelete="CASCADE"), index=True)
    storage_key: Mapped[str] = mapped_column(String(32), unique=True)
    clip_suffix: Mapped[str] = mapped_column(String(8))
    original_name: Mapped[str] = mapped_column(String(120))
    clip_bytes: Mapped[int] = mapped_column(BigInteger, default=0)  # clips over 2 GiB (migration 0002)
    session_date: Mapped[date] = mapped_column(Date)
    treadmill_speed_mps: Mapped[float | None] = mapped_column(Float, nullable=True)
    conditions: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    athlete: Mapped[Athlete] = relationship(back_populates="sessions")
