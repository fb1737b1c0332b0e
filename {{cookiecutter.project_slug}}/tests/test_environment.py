"""The settings read the environment: a .env file first, the real environment wins."""

import json
import os
import shutil
import subprocess
import sys

from django.conf import settings

READ_SETTINGS = """
import json
from django.conf import settings
database = settings.DATABASES["default"]
print(json.dumps({
    "ENVIRONMENT": settings.ENVIRONMENT,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "SECRET_KEY": settings.SECRET_KEY,
    "DATABASE": {key: str(database[key]) for key in "ENGINE NAME USER PASSWORD HOST PORT".split()},
}))
"""


def settings_read(tmp_path, env_file, **environment):
    """The settings a new process reads from a copy of the project's code, with
    env_file as its .env and environment set."""
    for package in ["caching", "config"]:
        if (settings.BASE_DIR / package).is_dir():
            shutil.copytree(
                settings.BASE_DIR / package,
                tmp_path / package,
                ignore=shutil.ignore_patterns("__pycache__"),
            )
    (tmp_path / ".env").write_text(env_file, encoding="utf-8")
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("DJANGO_") and name != "DATABASE_URL"
    }
    process = subprocess.run(
        [sys.executable, "-c", READ_SETTINGS],
        cwd=tmp_path,
        env={
            **inherited,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PYTHONPATH": str(tmp_path),
            **environment,
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 0, process.stderr
    return json.loads(process.stdout)


def test_env_file_takes_export_inline_comments_and_quotes_in_values(tmp_path):
    env_file = (
        "export DJANGO_ENV=development\n"
        "DJANGO_ALLOWED_HOSTS=recipes.example.com  # where the site is served\n"
        "DJANGO_SECRET_KEY=a-long-local-key-that-ends-in-a-quote'\n"
        "# Empty: the default, a SQLite file in the project.\n"
        "DATABASE_URL=\n"
    )
    read = settings_read(tmp_path, env_file)
    assert read["ENVIRONMENT"] == "development"
    assert read["ALLOWED_HOSTS"] == ["recipes.example.com"]
    assert read["SECRET_KEY"] == "a-long-local-key-that-ends-in-a-quote'"
    assert read["DATABASE"]["NAME"] == str(tmp_path / "db.sqlite3")


def test_real_environment_wins_over_env_file_and_empty_means_default(tmp_path):
    env_file = (
        "DJANGO_ENV=development\n"
        "DJANGO_ALLOWED_HOSTS=from-the-file.example.com\n"
        "DJANGO_SECRET_KEY='single-quoted#keeps-its-hash'\n"
    )
    read = settings_read(
        tmp_path,
        env_file,
        DJANGO_ALLOWED_HOSTS="from-the-environment.example.com,localhost",
        DATABASE_URL="",
    )
    assert read["ENVIRONMENT"] == "development"
    assert read["ALLOWED_HOSTS"] == ["from-the-environment.example.com", "localhost"]
    assert read["SECRET_KEY"] == "single-quoted#keeps-its-hash"
    assert read["DATABASE"]["NAME"] == str(tmp_path / "db.sqlite3")


def test_database_url_names_the_database(tmp_path):
    env_file = "DJANGO_ENV=development\nDJANGO_SECRET_KEY=a-long-local-key\n"
    url = "postgres://recipes:p%40ss@db.example.com:5432/recipes"
    read = settings_read(tmp_path, env_file, DATABASE_URL=url)
    assert read["DATABASE"] == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "recipes",
        "USER": "recipes",
        "PASSWORD": "p@ss",
        "HOST": "db.example.com",
        "PORT": "5432",
    }
