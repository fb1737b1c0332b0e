"""A pytest plugin for django-redis's own tests, run by tests/test_contracts.py.

django-redis's conftest runs each test once per settings module of its tests/settings;
this keeps the plain one, "sqlite" (one Redis server, pickle, DefaultClient), which
tests/test_contracts.py writes for the stock client class or for ours.
"""


def pytest_collection_modifyitems(config, items):
    items[:] = [
        item
        for item in items
        if getattr(item, "callspec", None)
        and item.callspec.params.get("cache_settings") == "sqlite"
    ]
