"""Web fixtures (tests/fixtures/web.py) for the unit tests of runform.web."""

from fixtures.web import database_url, replay_folder, web  # noqa: F401
