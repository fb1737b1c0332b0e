"""The cache directory the suite runs against: how to break it."""


def cache_server_problem():
    """None: the cache is a directory, with no server to start."""
    return None


def unreachable_location(tmp_path):
    """A directory that cannot be created: its parent is a file."""
    (tmp_path / "a-file").write_text("not a directory")
    return str(tmp_path / "a-file" / "cache")
