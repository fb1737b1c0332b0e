"""Nothing to check: the bake's gunicorn.conf.py, which serves the article's site
too, runs `python -m config.environment` to check our settings before it starts."""
