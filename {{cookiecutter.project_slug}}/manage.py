#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys

from config.environment import read_settings_or_exit


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # A bad value in the environment is one line and exit status 1, not a traceback.
    read_settings_or_exit()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
