"""WSGI entry point: ``gunicorn config.wsgi:application``."""

import os

from django.core.wsgi import get_wsgi_application

from config.environment import read_settings_or_exit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# A bad value in the environment is one line and exit status 1, not a traceback.
read_settings_or_exit()
application = get_wsgi_application()
