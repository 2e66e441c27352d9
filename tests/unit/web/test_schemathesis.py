"""Schemathesis against /openapi.json: no generated request may cause a 500 (bounded examples).
Runs on SQLite and on PostgreSQL (stricter about text: NUL bytes) like the other web tests: the
PostgreSQL variant is skipped without RUNFORM_TEST_POSTGRES_URL, and fails under CI (fixtures.require)."""

from __future__ import annotations

from contextlib import nullcontext

import pytest
import schemathesis
from fixtures.web import (
    DEMO_CLIP,
    ReplayAnalyser,
    add_coach,
    bearer,
    make_settings,
    postgres_base_url,
    postgres_database,
    replay_folder,  # noqa: F401 - fixtures
    wait_for,
)
from hypothesis import HealthCheck, settings

from runform.web import create_app


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(request, tmp_path_factory, replay_folder):
    from fastapi.testclient import TestClient

    tmp = tmp_path_factory.mktemp("schemathesis")
    if request.param == "sqlite":
        scope = nullcontext(f"sqlite:///{tmp / 'web.sqlite3'}")
    else:
        scope = postgres_database(postgres_base_url())  # skipped without the server, a failure under CI
    with scope as url:
        add_coach(url, "coach@a.test", admin=True)
        app = create_app(make_settings(tmp / "data", url, max_upload_mb=2), ReplayAnalyser(replay_folder))
        with TestClient(app) as client:
            headers = bearer(client, "coach@a.test")
            athlete = client.post("/api/athletes", headers=headers, json={"name": "Ann"}).json()["id"]
            sid = client.post(f"/api/athletes/{athlete}/sessions", headers=headers,
                              files={"file": ("c.mp4", DEMO_CLIP.read_bytes(), "video/mp4")}).json()["id"]  # fmt: skip
            wait_for(client, sid, headers)
            yield app, headers


def test_no_server_error(served):
    """Every operation, a bounded number of generated requests each (Hypothesis through Schemathesis)."""
    from hypothesis import given

    app, headers = served
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14
    failures = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):  # noqa: ANN001
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:200]}")

        check()
    assert failures == []
