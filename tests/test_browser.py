"""A real browser never shows a page older than the last edit, and revalidates for free.

Headless Chromium (Debian's chromium and chromium-driver, through selenium) visits
the baked site served by gunicorn; a recipe is renamed from another process
sharing the database and the cache; the browser's next normal navigations (a
click on a link, an address typed in: never a reload, which would skip the
browser's own copy) must show the new name. An unchanged page must come back
as 304 Not Modified: the browser asks, the server says "you have it".

Whether the browser asked the server at all comes from Chromium's own network
log; what the server answered, from gunicorn's access log.
"""

import json
import re
import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.support import ACCESS_LINE, LEVELS, answers_for, answers_id, gunicorn
from tests.test_traffic import rename_recipe

pytestmark = pytest.mark.slow

OLD_NAME, NEW_NAME = "Tomato soup #1", "Tomato soup, renamed"
LIST, DETAIL = "/recipes/", "/recipes/1/"

SITES = [
    answers_for("redis", set(LEVELS)),
    answers_for("redis", {"cache_per_view"}),
    answers_for("redis", {"cache_per_site"}),
    answers_for("memcached", set(LEVELS)),
]


class Visit:
    """A browser on the served site, and what the server answered each of its navigations."""

    def __init__(self, browser, site, log):
        self.browser, self.site, self.log = browser, site, log

    def answers(self, path):
        """The statuses the server logged for GETs of path so far, oldest first."""
        lines = (re.search(ACCESS_LINE, text) for text in self.log.read_text().splitlines())
        return [line["status"] for line in lines if line and line["path"] == path]

    def asked_server(self, url):
        """Whether the browser's last load of url went to the server (not its own copy)."""
        went = None
        for entry in self.browser.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.responseReceived":
                response = message["params"]["response"]
                if response["url"] == url and message["params"]["type"] == "Document":
                    went = not (response.get("fromDiskCache") and response["status"] == 200)
        assert went is not None, f"Chromium's network log has no response for {url}"
        return went

    def navigate(self, how, path):
        """Go to path as a person would (how: "address" or a link's text); the server's answer.

        Returns the status the server gave, or None when the browser did not ask it
        (it showed its own copy).
        """
        url = self.site + path
        self.browser.get_log("performance")  # what happened before is not this navigation
        asked_before = len(self.answers(path))
        if how == "address":
            self.browser.get(url)
        else:
            self.browser.find_element(By.LINK_TEXT, how).click()
        WebDriverWait(self.browser, 30).until(
            lambda browser: (
                browser.current_url == url
                and browser.execute_script("return document.readyState") == "complete"
            )
        )
        if not self.asked_server(url):
            return None
        deadline = time.monotonic() + 30  # the log line follows the answer
        while len(statuses := self.answers(path)) == asked_before:
            assert time.monotonic() < deadline, f"gunicorn logged no request for {path}"
            time.sleep(0.05)
        return statuses[-1]

    def shows(self, name):
        if self.browser.current_url.endswith(DETAIL):
            return self.browser.find_element(By.TAG_NAME, "h1").text == name
        return bool(self.browser.find_elements(By.LINK_TEXT, name))


def told(status):
    return "the browser showed its own copy, without asking" if status is None else status


@pytest.mark.parametrize("answers", SITES, ids=answers_id)
def test_browser_shows_an_edit_on_the_next_navigation(seeded_site, chromium, tmp_path, answers):
    project, env, _ = seeded_site(answers)
    log = tmp_path / "gunicorn.log"
    # Threads: Chromium keeps spare connections open, which would hold a sync worker.
    threads = {**env, "GUNICORN_CMD_ARGS": "--worker-class gthread --threads 4"}
    with gunicorn(project, threads, log=log) as site:
        visit = Visit(chromium, site, log)
        visit.navigate("address", LIST)
        assert visit.shows(OLD_NAME), f"the list does not show {OLD_NAME!r}"
        visit.navigate(OLD_NAME, DETAIL)
        assert visit.shows(OLD_NAME), f"{DETAIL} does not show {OLD_NAME!r}"
        unchanged_list = visit.navigate("All recipes", LIST)

        rename_recipe(project, env, 1, NEW_NAME)
        after_edit = []
        for how, path in [
            ("address", DETAIL),
            ("All recipes", LIST),
            (NEW_NAME, DETAIL),
            ("address", LIST),
        ]:
            if how == NEW_NAME and not visit.shows(NEW_NAME):
                how = OLD_NAME  # the browser still shows the old list: follow its link
            status = visit.navigate(how, path)
            after_edit.append((how, path, status, visit.shows(NEW_NAME)))
        unchanged_detail = visit.navigate(NEW_NAME if visit.shows(NEW_NAME) else OLD_NAME, DETAIL)

    stale = [
        f"  {'typed' if how == 'address' else f'clicked {how!r} for'} {path}: {told(status)}"
        for how, path, status, fresh in after_edit
        if not fresh
    ]
    assert not stale, (
        f"{answers_id(answers)}: in Chromium, {len(stale)} of {len(after_edit)} navigations "
        f"made after the recipe was renamed in another process still showed {OLD_NAME!r}:\n"
        + "\n".join(stale)
    )
    assert unchanged_list == "304" and unchanged_detail == "304", (
        f"{answers_id(answers)}: going back to a page that had not changed, Chromium got "
        f"{told(unchanged_list)} for {LIST} and {told(unchanged_detail)} for {DETAIL}; "
        "want 304 Not Modified: the browser asks, and the server answers without the page"
    )
