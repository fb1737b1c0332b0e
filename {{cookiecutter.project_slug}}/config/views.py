"""What the machines that watch the site ask it."""

import secrets

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    """The database's and the cache's status, as JSON.

    200 while the database answers, even with the cache down: the site still
    serves every page then, only slower. 503 when the database does not answer.
    """
    status = {"database": database_status(), "cache": cache_status()}
    return JsonResponse(status, status=200 if status["database"] == "up" else 503)


def database_status():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return "down"
    return "up"


def cache_status():
    """Store a new key: a cache that fails says False, never raises.

    A write, not a read: with Redis replicas a read may not see it yet.
    """
    key = f"healthz:{secrets.token_hex(8)}"
    works = cache.add(key, "ok", timeout=10)
    cache.delete(key)
    return "up" if works else "down"
