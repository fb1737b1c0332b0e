"""gunicorn's settings for this site, read by `gunicorn -c gunicorn.conf.py`.

A command-line option still wins over what is set here (`--bind`, `--workers`).
https://docs.gunicorn.org/en/stable/settings.html
"""

import os
import subprocess
import sys

wsgi_app = "config.wsgi:application"

# The settings are read once here, in a process of their own, before any worker
# starts: a bad value in the environment stops gunicorn with its one line (see
# config/environment.py) instead of a traceback from each worker. The workers still
# read the settings afresh, so a reload (HUP) picks up new code and a new .env.
settings_read = subprocess.run([sys.executable, "-m", "config.environment"], check=False)
if settings_read.returncode:
    sys.exit(settings_read.returncode)

{% if cookiecutter.cache_backend == "locmem" -%}
# Worker processes. WEB_CONCURRENCY is what hosting platforms set. One, because
# each process has its own local-memory cache: after an edit, another worker
# would show the old page until it expires.
workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
{%- else -%}
# Worker processes. WEB_CONCURRENCY is what hosting platforms set; gunicorn's
# docs suggest 2 to 4 per core. Every worker uses the same cache.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
{%- endif %}

# A worker silent for 30 s (a stuck request) is killed and replaced.
timeout = 30
# On a restart or deploy, requests in flight get 30 s to finish.
graceful_timeout = 30
# The default sync worker answers one request per connection: it ignores
# keep-alive, so it belongs behind a proxy that buffers (nginx, a load balancer).

# No request header sets SCRIPT_NAME or PATH_INFO. gunicorn (27.0.1) takes them by
# default from any request sent from an address in forwarded_allow_ips (127.0.0.1:
# so any client of a proxy on this host that passes headers with underscores), and
# Django puts SCRIPT_NAME in front of every link it builds: one such request could
# store pages and fragments whose links lead elsewhere, for every visitor. A site
# served under a path prefix says so itself: SCRIPT_NAME=/prefix in gunicorn's
# environment (gunicorn strips it from the path), or Django's FORCE_SCRIPT_NAME.
# https://docs.gunicorn.org/en/stable/settings.html#forwarder-headers
forwarder_headers = ""

# One line per request on stdout, with its status and duration in milliseconds:
# host, user, time, "request line", status, bytes, "referer", "user agent", ms.
accesslog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)s'
# Errors and worker events on stderr.
errorlog = "-"
