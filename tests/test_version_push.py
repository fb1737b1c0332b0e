"""On Redis each process is told the recipes version: hits cost no round trip, pages stay fresh.

A baked project with every level on is served over HTTP, by gunicorn (WSGI) and
by uvicorn (ASGI), against a real redis-server that the test cuts and kills.
Recipes are edited by another process (`manage.py shell`), as an admin on
another server would. After each edit the very next request shows it, whether
the subscription was just cut (CLIENT KILL TYPE pubsub) or Redis was killed and
started again; and once things are calm again, a hit makes Redis answer no
command at all (INFO commandstats before and after).
"""

import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest
from redis import Redis

from tests.support import (
    LEVELS,
    PYTHON,
    answers_for,
    free_port,
    prepare,
    redis_server,
    run,
    site_env,
    wait_for_port,
)

pytestmark = pytest.mark.slow

PAGES = ["/recipes/", "/recipes/1/"]
# Commands a process sends by itself, whatever the traffic: INFO is this test's
# own count, PING the listener's check that the server still answers.
NOT_TRAFFIC = {"cmdstat_info", "cmdstat_ping"}
STEADY_BOUND = 20.0  # Seconds to get back to zero round trips once Redis is back.
HITS = 20


class Site:
    """The baked project served over HTTP by gunicorn or uvicorn, one worker."""

    def __init__(self, project, env, server, log_path):
        self.port = free_port()
        self.log_path = log_path
        if server == "gunicorn":
            command = [PYTHON, "-m", "gunicorn", "config.wsgi:application"]
            command += ["--bind", f"127.0.0.1:{self.port}", "--workers", "1"]
        else:
            command = [PYTHON, "-m", "uvicorn", "config.asgi:application"]
            command += ["--host", "127.0.0.1", "--port", str(self.port), "--no-access-log"]
        with open(log_path, "w", encoding="utf-8") as log:
            self.process = subprocess.Popen(
                command, cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        wait_for_port(self.port, self.process, server, timeout=30)

    def get(self, path):
        """(status, headers, body) of one GET."""
        url = f"http://127.0.0.1:{self.port}{path}"
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.headers, response.read().decode()

    def log(self):
        return self.log_path.read_text(encoding="utf-8")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def commands_answered(client):
    """Every command Redis has answered so far, but INFO and PING."""
    stats = client.info("commandstats")
    return sum(stat["calls"] for name, stat in stats.items() if name not in NOT_TRAFFIC)


def round_trips_per_hit(site, port):
    """Commands Redis answered for HITS page hits, divided by HITS; None if one missed."""
    for path in PAGES:  # Fill the cache and this process's copy.
        site.get(path)
        site.get(path)
    # One connection for both counts: connecting sends commands of its own.
    with Redis(host="127.0.0.1", port=port) as client:
        before = commands_answered(client)
        for number in range(HITS):
            status, headers, _ = site.get(PAGES[number % len(PAGES)])
            assert status == 200, site.log()
            if "Age" not in headers:
                return None  # A miss: caching has not resumed yet.
        return (commands_answered(client) - before) / HITS


def wait_for_zero_round_trips(site, port):
    deadline = time.monotonic() + STEADY_BOUND
    while (per_hit := round_trips_per_hit(site, port)) != 0:
        if time.monotonic() > deadline:
            pytest.fail(
                f"hits still cost {per_hit} Redis commands each after {STEADY_BOUND} s:\n"
                + site.log(),
                pytrace=False,
            )
        time.sleep(0.2)


class Editor:
    """Renames recipe 1 from another process, as an admin on another server would."""

    def __init__(self, project, env):
        self.project, self.env, self.edits = project, env, 0

    def rename(self):
        self.edits += 1
        name = f"Renamed by another process, edit {self.edits} {time.time_ns()}"
        code = f"r = Recipe.objects.get(pk=1); r.name = {name!r}; r.save()"
        command = [PYTHON, "manage.py", "shell", "-c", f"from recipes.models import Recipe; {code}"]
        run(command, self.project, self.env)
        return name


def assert_shows(site, name, when):
    for path in PAGES:
        status, _, body = site.get(path)
        assert status == 200
        assert name in body, f"{when}: {path} is an old page\n{site.log()}"


@pytest.fixture(scope="module")
def project(cookies_session):
    result = cookies_session.bake(extra_context=answers_for("redis", set(LEVELS)))
    assert result.exit_code == 0, result.exception
    project = result.project_path
    prepare(project, site_env(), recipes=5)
    return project


@pytest.fixture
def redis(tmp_path):
    server = redis_server(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture(params=["gunicorn", "uvicorn"])
def site(request, project, redis, tmp_path):
    env = site_env(REDIS_URL=f"redis://127.0.0.1:{redis.port}/0")
    served = Site(project, env, request.param, tmp_path / "site.log")
    yield served, Editor(project, env)
    served.stop()


def test_hits_cost_no_round_trip_and_edits_show_at_once(site, redis):
    site, editor = site
    wait_for_zero_round_trips(site, redis.port)
    for _ in range(3):
        assert_shows(site, editor.rename(), "after an edit")
    wait_for_zero_round_trips(site, redis.port)


def test_a_cut_subscription_never_shows_an_old_page(site, redis):
    site, editor = site
    wait_for_zero_round_trips(site, redis.port)
    with Redis(host="127.0.0.1", port=redis.port) as admin:
        for _ in range(3):
            admin.execute_command("CLIENT", "KILL", "TYPE", "pubsub")
            assert_shows(site, editor.rename(), "after the subscription was cut")
            admin.execute_command("CLIENT", "KILL", "TYPE", "pubsub")
            site.get(PAGES[0])  # A request while the listener subscribes again.
            assert_shows(site, editor.rename(), "right after a request")
    wait_for_zero_round_trips(site, redis.port)


def test_redis_killed_under_traffic_never_shows_an_old_page(site, redis):
    site, editor = site
    wait_for_zero_round_trips(site, redis.port)
    statuses, stop = [], threading.Event()

    def traffic():
        while not stop.is_set():
            try:
                statuses.append(site.get(PAGES[len(statuses) % len(PAGES)])[0])
            except urllib.error.HTTPError as error:
                statuses.append(error.code)

    visitor = threading.Thread(target=traffic)
    visitor.start()
    try:
        for _ in range(2):
            redis.process.kill()
            redis.process.wait()
            assert_shows(site, editor.rename(), "after an edit while Redis was down")
            redis.start()
            assert_shows(site, editor.rename(), "after an edit once Redis was back")
    finally:
        stop.set()
        visitor.join()
    assert set(statuses) == {200}
    wait_for_zero_round_trips(site, redis.port)
    assert_shows(site, editor.rename(), "after an edit in steady state")
