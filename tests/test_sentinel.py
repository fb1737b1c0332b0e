"""Redis Sentinel: the baked site follows its cache through a failover.

A primary, a replica and three sentinels run for real (tests/conftest.py), the
site reads REDIS_URL=redis+sentinel://... and is served by gunicorn under a
steady stream of requests; then the primary is killed. Every page must stay 200
while the sentinels elect the replica (misses, not errors), caching must resume on
the new primary, no READONLY error may reach a page or more than one log line, and
an edit made by another process after the failover must show on the next request.
The first sentinel of the URL is down all along: the other two are enough.

Then the old primary comes back as a replica and the sentinels are asked to fail
over to it (a planned switch, where the site still holds connections to a server
that turns into a replica): the same must hold.
"""

import threading
import time
from collections import namedtuple
from urllib.parse import quote

import pytest
from redis import Redis, ResponseError

from tests.support import LEVELS, PYTHON, answers_for, prepare, run, site_env
from tests.test_outages import REQUEST_BOUND, Site

pytestmark = pytest.mark.slow

# From the kill to cache hits on the new primary, as the issue asks. The sentinels
# need about down-after-milliseconds (1 s) plus an election and a promotion.
RESUME_SECONDS = 15
# The traffic runs at most this long, and makes at most this many requests, one
# every PAUSE seconds or slower.
TRAFFIC_SECONDS = 60
TRAFFIC_REQUESTS = 6000
PAUSE = 0.01
PAGES = ["/recipes/", *(f"/recipes/{pk}/" for pk in range(1, 6))]
READONLY = "READONLY"
Visit = namedtuple("Visit", "when path status hit body seconds")
FAILED = "Cache unavailable"


class Traffic:
    """Visits PAGES in turn from a thread, recording (time, path, status, hit, body)."""

    def __init__(self, site):
        self.site = site
        self.visits = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._visit, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stopped.set()
        self.thread.join(timeout=60)

    def _visit(self):
        deadline = time.monotonic() + TRAFFIC_SECONDS
        while not self.stopped.is_set() and time.monotonic() < deadline:
            if len(self.visits) >= TRAFFIC_REQUESTS:
                return
            path = PAGES[len(self.visits) % len(PAGES)]
            status, headers, body, seconds = self.site.get(path)
            self.visits.append(
                Visit(time.monotonic(), path, status, "Age" in headers, body, seconds)
            )
            time.sleep(PAUSE)

    def since(self, moment):
        return [visit for visit in self.visits if visit.when >= moment]

    def first_hit_after(self, moment, within):
        """When a page first came from the cache after moment; fails after within seconds."""
        deadline = moment + within
        while time.monotonic() < deadline:
            hits = [visit.when for visit in self.since(moment) if visit.hit]
            if hits:
                return hits[0]
            time.sleep(0.1)
        pytest.fail(
            f"no page came from the cache within {within} s:\n{self.site.log()[-5000:]}",
            pytrace=False,
        )


def master_address(sentinels):
    with Redis(host="127.0.0.1", port=sentinels[0].port) as link:
        return tuple(link.sentinel_get_master_addr_by_name("mymaster"))


def wait_for_master(sentinels, port, within):
    deadline = time.monotonic() + within
    while master_address(sentinels) != (b"127.0.0.1", port):
        assert time.monotonic() < deadline, f"the sentinels did not elect :{port} in {within} s"
        time.sleep(0.1)
    return time.monotonic()


def assert_every_page_served(visits, site):
    """Each 200 without READONLY, within REQUEST_BOUND like in tests/test_outages.py."""
    failed = [(visit.path, visit.status) for visit in visits if visit.status != 200]
    assert failed == [], f"pages failed during the failover: {failed[:10]}\n{site.log()}"
    assert not [visit for visit in visits if READONLY in visit.body], "a page showed READONLY"
    slowest = max(visit.seconds for visit in visits)
    assert slowest < REQUEST_BOUND, f"a page took {slowest:.2f} s during the failover"
    return slowest


def test_site_follows_a_sentinel_failover(bake, redis_sentinels, tmp_path):
    primary, replica, sentinels, password = redis_sentinels
    hosts = ",".join(f"127.0.0.1:{sentinel.port}" for sentinel in sentinels)
    env = site_env(REDIS_URL=f"redis+sentinel://:{quote(password, safe='')}@{hosts}/mymaster/0")
    project = bake(answers_for("redis", set(LEVELS)))
    prepare(project, env)
    # The first sentinel in REDIS_URL is gone for good: the two others still make
    # the quorum, and the site asks them.
    sentinels[0].stop()
    sentinels = sentinels[1:]
    site = Site(project, env, tmp_path / "site.log")
    try:
        with Traffic(site) as traffic:
            traffic.first_hit_after(time.monotonic(), within=RESUME_SECONDS)
            with Redis(host="127.0.0.1", port=primary.port, password=password) as link:
                assert link.dbsize() > 0, "the pages were cached, but not on the primary"

            # Unplanned: the primary dies under traffic.
            killed = time.monotonic()
            primary.process.kill()
            primary.process.wait()
            elected = wait_for_master(sentinels, replica.port, within=RESUME_SECONDS)
            resumed = traffic.first_hit_after(elected, within=RESUME_SECONDS - (elected - killed))
            outage = traffic.since(killed)
            misses = [visit for visit in outage if visit.when < resumed]
            slowest = assert_every_page_served(outage, site)
            print(
                f"\nkill -> new primary elected: {elected - killed:.1f} s; "
                f"kill -> first cache hit: {resumed - killed:.1f} s; "
                f"{len(misses)} requests in between, all answered, the slowest in {slowest:.2f} s"
            )
            assert site.log().count(READONLY) <= 1, site.log()
            # Said once, naming the service rather than a server that is gone.
            assert site.log().count(FAILED) == 1, site.log()
            assert "Redis Sentinel service mymaster/0" in site.log()

            # Stored on the new primary: a page no one asked for before the failover.
            site.get("/recipes/15/")
            assert "Age" in site.get("/recipes/15/")[1], "a new page was not cached after it"

            # An edit from another process shows on the next request.
            new_name = f"Renamed after the failover {time.time_ns()}"
            rename = f"r = Recipe.objects.get(pk=1); r.name = {new_name!r}; r.save()"
            shell = [PYTHON, "manage.py", "shell", "-c"]
            run([*shell, f"from recipes.models import Recipe; {rename}"], project, env)
            status, _, body, _ = site.get("/recipes/")
            assert status == 200 and new_name in body, "the edit did not show after the failover"

            # Planned: the old primary is back as a replica, and the sentinels are
            # told to fail over to it while the site holds connections to the
            # current primary, which turns into a replica: writes to it say READONLY.
            primary.start()
            switch = time.monotonic()
            while True:
                with Redis(host="127.0.0.1", port=sentinels[0].port) as link:
                    try:
                        link.execute_command("SENTINEL", "FAILOVER", "mymaster")
                        break
                    except ResponseError as error:  # NOGOODSLAVE until it has synced.
                        assert time.monotonic() < switch + 30, f"no switch back: {error}"
                time.sleep(0.5)
            elected_back = wait_for_master(sentinels, primary.port, within=RESUME_SECONDS)
            resumed_back = traffic.first_hit_after(elected_back, within=RESUME_SECONDS)
            slowest = assert_every_page_served(traffic.since(switch), site)
            print(
                f"planned switch -> first cache hit: {resumed_back - switch:.1f} s "
                f"(elected after {elected_back - switch:.1f} s), the slowest page {slowest:.2f} s"
            )
        assert site.log().count(READONLY) <= 2, site.log()
        assert len(traffic.visits) < TRAFFIC_REQUESTS, "the traffic ran out of requests"
    finally:
        site.stop()
