"""Filters for the LOGGING setting (config/settings.py).

https://docs.djangoproject.com/en/5.2/topics/logging/#topic-logging-parts-filters
"""

import logging


class WithoutTraceback(logging.Filter):
    """Keeps the record's message and drops its traceback: one line, for what needs no more.

    On a logger, it changes the record for every handler.
    """

    def filter(self, record):
        record.exc_info = None
        record.exc_text = None
        return True
