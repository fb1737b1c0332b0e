"""Measure what caching buys on this site, with the cache backend it is configured with.

Runs in a throwaway test database seeded for the run (your data is never read
or written) and under a key prefix of its own (your cache entries are never
touched, and the run's own are deleted when it ends). Requests go through
Django's full stack in this process, without a network hop to the app server,
so the figures compare configurations; they are not what a browser will see.

"net/hit" is what a hit asks of the cache, as recipes/cache_calls.py counts it. A miss
comes after a recipe is saved, as after an editor's change.
"""

import contextlib
import io
import json
import statistics
import sys
import time
import uuid

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import (
    CaptureQueriesContext,
    override_settings,
    setup_databases,
    teardown_databases,
)

from caching.isolated_caches import IsolatedCaches
from recipes.cache_calls import calls_per_hit
from recipes.models import Recipe

BYPASSED = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
# Hits counted for net/hit, after the timed ones.
COUNTED_HITS = 20


def percentile(samples, fraction):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class Command(BaseCommand):
    help = "Measure miss and hit latency, SQL queries and requests/s, cached and uncached."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=200, help="timed requests per case")
        parser.add_argument("--recipes", type=int, default=200, help="recipes in the dataset")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="print JSON instead of a table"
        )

    def handle(self, *args, requests, recipes, as_json, **options):
        if requests < 1:
            raise CommandError(f"--requests must be 1 or more (got {requests})")
        if recipes < 1:
            raise CommandError(f"--recipes must be 1 or more (got {recipes})")
        self.show_progress = not as_json
        run = uuid.uuid4().hex[:8]
        # Entries under a prefix of their own, deleted at the end.
        isolated = IsolatedCaches(settings.CACHES, label=f"bench-{run}")
        caches = isolated.settings()
        if connection.vendor != "sqlite":
            # On a database server test_<name> may be in use (by pytest): take another.
            database = connection.settings_dict
            database["TEST"]["NAME"] = f"test_{database['NAME']}_bench_{run}"
        with contextlib.redirect_stdout(io.StringIO()):  # createcachetable talks
            old_databases = setup_databases(verbosity=0, interactive=False)
        try:
            # Under the run's prefix: each saved recipe replaces the recipes version.
            with override_settings(CACHES=caches):
                call_command("seed_recipes", count=recipes, stdout=io.StringIO())
            self.edited_recipe = Recipe.objects.order_by("pk").first()
            detail = f"/recipes/{self.edited_recipe.pk}/"
            results = []
            for caching, cache_settings in [
                ("on", caches),
                ("bypassed", dict.fromkeys(caches, BYPASSED)),
            ]:
                # Bypassed, every request is a miss: no edit needed, nor made (a
                # saved recipe would tell a Redis that is not there of a new version).
                self.editing = caching == "on"
                with override_settings(
                    CACHES=cache_settings, ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]
                ):
                    for page, path in [("list", "/recipes/"), ("detail", detail)]:
                        results.append(self.measure(page, path, caching, requests))
        finally:
            isolated.delete_entries()
            teardown_databases(old_databases, verbosity=0)
        if as_json:
            self.stdout.write(json_dumps(results, recipes, requests))
        else:
            self.stdout.write(table(results, recipes, requests))

    def measure(self, page, path, caching, requests):
        client = Client()
        misses = [
            self.timed(client, path, after_edit=True)
            for _ in self.steps(f"{page}, caching {caching}, misses", requests)
        ]
        client.get(path, secure=True)
        hits = [
            self.timed(client, path)
            for _ in self.steps(f"{page}, caching {caching}, hits", requests)
        ]
        return {
            "page": page,
            "caching": caching,
            "miss_median_ms": statistics.median(misses) * 1000,
            "miss_p95_ms": percentile(misses, 0.95) * 1000,
            "hit_median_ms": statistics.median(hits) * 1000,
            "hit_p95_ms": percentile(hits, 0.95) * 1000,
            "miss_queries": self.queries(client, path, after_edit=True),
            "hit_queries": self.queries(client, path),
            "hit_requests_per_second": len(hits) / sum(hits),
            "hit_network_calls": self.network_calls(client, path) if caching == "on" else 0,
        }

    def network_calls(self, client, path):
        """What one hit asks of the cache (see net/hit above)."""
        return calls_per_hit(lambda: client.get(path, secure=True), COUNTED_HITS)

    def timed(self, client, path, after_edit=False):
        if after_edit:
            self.edit()
        start = time.perf_counter()
        response = client.get(path, secure=True)
        elapsed = time.perf_counter() - start
        if response.status_code != 200:
            raise CommandError(f"{path} answered {response.status_code}")
        return elapsed

    def queries(self, client, path, after_edit=False):
        if after_edit:
            self.edit()
        with CaptureQueriesContext(connection) as captured:
            client.get(path, secure=True)
        return len(captured.captured_queries)

    def edit(self):
        """Save a recipe, as an editor would: whatever was cached of it is stale after it."""
        if self.editing:
            self.edited_recipe.save()

    def steps(self, label, count):
        """range(count), with a progress line on a terminal."""
        show = self.show_progress and sys.stderr.isatty()
        for step in range(count):
            if show and step % 10 == 0:
                sys.stderr.write(f"\r  {label}: {step}/{count}   ")
            yield step
        if show:
            sys.stderr.write("\r" + " " * (len(label) + 20) + "\r")


def json_dumps(results, recipes, requests):
    return json.dumps(
        {"recipes": recipes, "requests": requests, "backend": backend_name(), "results": results},
        indent=2,
    )


def backend_name():
    return settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]


def table(results, recipes, requests):
    header = (
        f"{'page':<8}{'caching':<10}{'miss ms (median/p95)':>22}{'hit ms (median/p95)':>22}"
        f"{'SQL miss/hit':>14}{'hit req/s':>11}{'net/hit':>9}"
    )
    lines = [
        f"{backend_name()}, {recipes} recipes, {requests} requests per case, in-process",
        header,
        "-" * len(header),
    ]
    for row in results:
        lines.append(
            f"{row['page']:<8}{row['caching']:<10}"
            f"{row['miss_median_ms']:>13.2f} / {row['miss_p95_ms']:<6.2f}"
            f"{row['hit_median_ms']:>13.2f} / {row['hit_p95_ms']:<6.2f}"
            f"{row['miss_queries']:>9} / {row['hit_queries']:<3}"
            f"{row['hit_requests_per_second']:>11.0f}"
            f"{row['hit_network_calls']:>9.2f}"
        )
    return "\n".join(lines)
