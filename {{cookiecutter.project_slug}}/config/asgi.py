"""ASGI entry point: ``uvicorn config.asgi:application``."""

import os

from django.core.asgi import get_asgi_application

from config.environment import read_settings_or_exit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# A bad value in the environment is one line and exit status 1, not a traceback.
read_settings_or_exit()
application = get_asgi_application()
