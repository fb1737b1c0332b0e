"""The cache the suite runs against: Django's local-memory cache, in this process."""


def cache_server_problem():
    """None: there is no server to start."""
    return None
