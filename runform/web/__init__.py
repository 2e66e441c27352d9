"""The coach web app: athletes, sessions, trends and programmes on a real database, with logins.

``create_app(load_settings(...))`` builds the FastAPI app (``runform serve`` runs it with
uvicorn). Layout: ``settings`` (data dir, database URL, limits), ``models`` + ``db`` (SQLAlchemy 2,
Alembic migrations in ``migrations/``), ``security`` (argon2 passwords, bearer tokens, CSRF),
``storage`` (generated file names, upload checks), ``jobs`` (background analyses on the batch
executor, state in the database), ``services`` (operations scoped to the coach), ``trends``,
``api`` (JSON, ``/openapi.json``) and ``pages`` (Jinja2). See docs/WEB.md.
"""

from __future__ import annotations

from runform.web.app import create_app
from runform.web.db import Database, migrate
from runform.web.settings import WebSettings, default_data_dir, load_settings

__all__ = ["Database", "WebSettings", "create_app", "default_data_dir", "load_settings", "migrate"]
