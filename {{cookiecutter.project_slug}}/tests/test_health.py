"""/healthz tells the machines watching the site whether its database and cache work."""

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "up", "cache": "up"}


def test_healthz_is_never_cached(client):
    first = client.get("/healthz")
    second = client.get("/healthz")
    assert "no-store" in first["Cache-Control"]
    assert "Age" not in second
