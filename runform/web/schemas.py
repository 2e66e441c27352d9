"""Request and response bodies of the JSON API (they make up ``/openapi.json``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field

__all__ = ["AthleteIn", "AthleteOut", "CoachIn", "CoachOut", "SessionOut", "SessionStatus", "Token", "clean_text"]

SessionStatus = Literal["queued", "running", "done", "failed", "refused"]


def clean_text(value: str) -> str:
    """No NUL or other control characters (newlines and tabs allowed); stripped."""
    if any(ord(ch) < 32 and ch not in "\n\t\r" for ch in value):
        raise ValueError("control characters are not allowed")
    return value.strip()


Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(clean_text)]


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"


class AthleteIn(BaseModel):
    name: Name
    height_m: float | None = Field(None, ge=0.8, le=2.5, description="Standing height (m), for scale.")
    event: str | None = Field(None, max_length=32, description="Race event: 100m ... marathon, xc, trail.")
    notes: Annotated[str, Field(max_length=5000), AfterValidator(clean_text)] = ""


class AthleteOut(BaseModel):
    id: int
    name: str
    height_m: float | None
    event: str | None
    notes: str
    created_at: str


class SessionOut(BaseModel):
    id: int
    athlete_id: int
    date: date
    status: SessionStatus
    progress: float = Field(description="0 queued, 0.1 claimed by a worker, up to 0.95 as the analysis runs (its own progress: pose, report, video), 1 finished")
    original_name: str
    treadmill_speed_mps: float | None
    conditions: str
    attempts: int
    error: str | None = Field(None, description="Why the analysis failed or was refused")
    summary: dict[str, Any] | None = Field(None, description="analysis.json 'summary', when done")
    created_at: str | None
    finished_at: str | None


class CoachIn(BaseModel):
    email: Annotated[str, Field(min_length=3, max_length=254), AfterValidator(clean_text)]
    password: Annotated[str, Field(min_length=8, max_length=1024), AfterValidator(clean_text)]
    admin: bool = False


class CoachOut(BaseModel):
    id: int
    email: str
    is_admin: bool
    is_active: bool
