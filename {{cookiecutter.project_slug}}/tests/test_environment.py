"""The settings read the environment: a .env file first, the real environment wins;
a value the site cannot use stops it with one line naming the variable and the value."""

import json
import os
import shutil
import subprocess
import sys

import pytest
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


# What .env.example lists is what this site reads.
ENV_EXAMPLE = (settings.BASE_DIR / ".env.example").read_text(encoding="utf-8")
READ = {line.partition("=")[0] for line in ENV_EXAMPLE.splitlines() if line[:1].isupper()}
BAD_VALUES = [
    ("DJANGO_ENV", "prod"),
    ("DJANGO_DEBUG", "maybe"),
    ("DJANGO_SECURE_HSTS_SECONDS", "x"),
    ("CACHE_BROWSER_SECONDS", "abc"),
    ("CACHE_BROWSER_SECONDS", "-5"),
    ("CACHE_LOCAL_COPY_BYTES", "lots"),
    ("CACHE_CONNECT_TIMEOUT", "soon"),
    ("CACHE_SOCKET_TIMEOUT", "0"),
]
SECRET = "s3cret-in-the-url"


def run_with(environment, *command):
    """Run `python <command>` in the project, in production mode unless environment says
    otherwise (every variable is read there), with environment added."""
    inherited = {name: value for name, value in os.environ.items() if name != "DATABASE_URL"}
    inherited = {name: value for name, value in inherited.items() if not name.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, *command],
        cwd=settings.BASE_DIR,
        env={
            **inherited,
            "DJANGO_ENV": "production",
            "DJANGO_SECRET_KEY": "a-long-key-for-this-test-only",
            **environment,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def assert_one_line(process, *expected):
    """Refused: a non-zero exit and one line on stderr, holding each of expected."""
    assert process.returncode != 0, process.stdout
    assert "Traceback" not in process.stderr, process.stderr
    assert len(process.stderr.splitlines()) == 1, process.stderr
    for text in expected:
        assert text in process.stderr, process.stderr


@pytest.mark.parametrize(
    ("name", "value"), [(name, value) for name, value in BAD_VALUES if name in READ]
)
def test_manage_py_refuses_a_bad_value_in_one_line(name, value):
    process = run_with({name: value}, "manage.py", "check")
    assert_one_line(process, f"{name} must be", f"(got {value!r})")


def test_manage_py_refuses_a_missing_secret_key_in_one_line():
    process = run_with({"DJANGO_SECRET_KEY": ""}, "manage.py", "check")
    assert_one_line(process, "DJANGO_SECRET_KEY is not set")


@pytest.mark.parametrize(
    "url",
    [
        f"mysqldb://recipes:{SECRET}@db.example.com/recipes",
        f"postgres://recipes:{SECRET}@db.example.com:port/recipes",
    ],
)
def test_a_bad_database_url_is_one_line_without_its_password(url):
    process = run_with({"DATABASE_URL": url}, "manage.py", "migrate", "--check")
    assert_one_line(process, "DATABASE_URL must be a database URL")
    assert SECRET not in process.stderr


@pytest.mark.parametrize("module", ["config.wsgi", "config.asgi"])
def test_the_app_servers_entry_points_refuse_a_bad_value_in_one_line(module):
    process = run_with({"DJANGO_DEBUG": "maybe"}, "-c", f"import {module}")
    assert_one_line(process, "DJANGO_DEBUG must be true or false (got 'maybe')")


def test_gunicorn_stops_before_any_worker_on_a_bad_value():
    command = ["-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", "127.0.0.1:0"]
    process = run_with({"DJANGO_DEBUG": "maybe"}, *command)
    assert_one_line(process, "DJANGO_DEBUG must be true or false (got 'maybe')")
