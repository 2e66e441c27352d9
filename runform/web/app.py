"""The FastAPI application: ``create_app(settings)``. On start it migrates the database, resumes
interrupted jobs and starts the job runner; on stop it stops dispatching (jobs cancelled before they ran are
queued again; jobs left running are queued again at the next start, counted)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from runform.version import __version__
from runform.web import api, pages
from runform.web.db import Database, migrate
from runform.web.deps import LoginRequired
from runform.web.jobs import AnalyseFn, JobRunner
from runform.web.settings import WebSettings

__all__ = ["create_app"]

logger = logging.getLogger(__name__)

#: Pages: only this server's own files; the report (self-contained) also needs inline script/style and data: images.
_CSP = "default-src 'self'; img-src 'self' data:; media-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'"


class _Limits:
    """Pure-ASGI guard: refuses request bodies larger than ``max_body_bytes`` (the upload limit plus
    1 MB for the form's other fields) from their Content-Length before reading them, and a body
    sent without one (chunked) as soon as it grows past it; adds security headers to every response."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, limit_mb: float) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.limit_mb = limit_mb

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body_bytes):
            await self._too_large(scope, receive, send)
            return
        received, over, started = 0, False, False

        async def limited_receive() -> dict:
            nonlocal received, over
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:  # stop reading: the app sees the client gone
                    over = True
                    return {"type": "http.disconnect"}
            return message

        async def send_with_headers(message: dict) -> None:
            nonlocal started
            if over:  # the app's answer to a body cut short is replaced by the 413 below
                return
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                headers += [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"SAMEORIGIN"),
                            (b"referrer-policy", b"same-origin"), (b"content-security-policy", _CSP.encode()),
                            (b"cache-control", b"no-store")]  # fmt: skip
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except Exception:
            if not over:
                raise
        if over and not started:
            await self._too_large(scope, receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"The file is too large: at most {self.limit_mb:g} MB may be uploaded; trim the clip to the running part."
        response = PlainTextResponse(message, 413, headers={"connection": "close"})
        await response(scope, receive, send)


def create_app(settings: WebSettings, analyse: AnalyseFn | None = None) -> FastAPI:
    """The app for ``settings``; ``analyse`` replaces the batch job (tests)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        migrate(settings.database_url)
        db = Database(settings.database_url)
        jobs = JobRunner(db, settings, analyse)
        app.state.db, app.state.jobs = db, jobs
        jobs.start()
        try:
            yield
        finally:  # this lifespan's own runner and database: a second lifespan of the same app (a test
            jobs.stop()  # tool's ASGI client beside a TestClient) has replaced app.state's by now
            db.dispose()

    app = FastAPI(title="runform coach", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Athletes, sessions, analyses and trends. Authenticate with POST /api/auth/token.")  # fmt: skip
    app.state.settings = settings
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=str(resources.files("runform.web") / "static")), name="static")
    app.add_middleware(SessionMiddleware, secret_key=settings.session_secret, session_cookie="runform_session",
                       max_age=12 * 3600, same_site="lax", https_only=settings.secure_cookies)  # fmt: skip
    app.add_middleware(_Limits, max_body_bytes=settings.max_upload_bytes + 1024 * 1024, limit_mb=settings.max_upload_mb)

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, _: LoginRequired) -> RedirectResponse:
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(pages.PageNotFound)
    async def _page_404(request: Request, _: Exception) -> object:
        return pages.render(request, "error.html", {"message": "Not found."}, status_code=404)

    @app.exception_handler(pages.PageError)
    async def _page_error(request: Request, exc: pages.PageError) -> object:
        return pages.render(request, "error.html", {"message": exc.message}, status_code=exc.status_code)

    return app
