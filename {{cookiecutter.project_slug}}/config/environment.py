"""The environment, read strictly: a value the site cannot use stops it with one line.

django-environ reads the variables and the .env file. StrictEnv's numbers and
booleans refuse what they cannot read, where django-environ would guess
("maybe" reads as false) or fail with a traceback, and say what is wrong:

    DJANGO_DEBUG must be true or false (got 'maybe')

manage.py, config/wsgi.py and config/asgi.py read the settings through
read_settings_or_exit(), which prints that line on stderr and exits with status 1;
gunicorn.conf.py runs `python -m config.environment` to do the same before any
worker starts.
"""

import math
import os
import sys
from importlib import import_module

import environ
from django.core.exceptions import ImproperlyConfigured

BOOLEANS = {
    **dict.fromkeys(["true", "yes", "on", "1"], True),
    **dict.fromkeys(["false", "no", "off", "0"], False),
}


class StrictEnv(environ.Env):
    """django-environ's Env, whose int, float, bool and db_url check the value they read."""

    def int(self, var, default=environ.Env.NOTSET):
        """A whole number, 0 or more: the site's counts, sizes and seconds."""
        return self.checked(var, default, whole_number, "a whole number, 0 or more")

    def float(self, var, default=environ.Env.NOTSET):
        """A number above 0: the site's timeouts, in seconds."""
        return self.checked(var, default, positive_number, "a number above 0")

    def bool(self, var, default=environ.Env.NOTSET):
        """true or false (or yes/no, on/off, 1/0), in any case."""
        return self.checked(var, default, BOOLEANS.__getitem__, "true or false")

    def db_url(self, var="DATABASE_URL", default=environ.Env.NOTSET, engine=None):
        """A database URL with a scheme django-environ knows (postgres://, sqlite:///, ...).

        The messages quote the scheme at most: the rest of the URL may hold a password.
        """
        url = self.str(var, default="")
        scheme = url.partition("://")[0] if "://" in url else ""
        usage = f"{var} must be a database URL such as postgres://user:password@host:5432/name"
        if url and scheme not in self.DB_SCHEMES:
            got = f"got {scheme + '://'!r}" if scheme else "got one without scheme://"
            raise ImproperlyConfigured(f"{usage} ({got})")
        try:
            return super().db_url(var, default, engine)
        except ValueError:  # From urllib: a port that is not a number, a broken [IPv6] host.
            raise ImproperlyConfigured(f"{usage} (its host or port cannot be read)") from None

    def checked(self, var, default, parse, expected):
        """The value parse reads from var, or default when var is unset or empty."""
        value = self.str(var, default="")
        if not value and default is not self.NOTSET:
            return default
        try:
            return parse(value.lower())
        except (KeyError, ValueError):
            raise ImproperlyConfigured(f"{var} must be {expected} (got {value!r})") from None


def whole_number(value):
    if not (value.isascii() and value.isdigit()):
        raise ValueError(value)
    return int(value)


def positive_number(value):
    number = float(value)
    if not (number > 0 and math.isfinite(number)):
        raise ValueError(value)
    return number


def read_settings_or_exit():
    """Import the settings; a value in the environment they refuse ends the program
    with its one line on stderr and exit status 1, instead of a traceback."""
    try:
        import_module(os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings"))
    except ImproperlyConfigured as error:
        sys.exit(f"ImproperlyConfigured: {error}")


if __name__ == "__main__":
    read_settings_or_exit()
