{%- set any_level = cookiecutter.cache_per_site or cookiecutter.cache_per_view or cookiecutter.cache_template_fragment or cookiecutter.cache_low_level -%}
{%- set read_ahead = (cookiecutter.cache_per_site or cookiecutter.cache_per_view) and cookiecutter.cache_backend in ["redis", "memcached", "db"] -%}
from django.apps import AppConfig


class RecipesConfig(AppConfig):
    name = "recipes"
    verbose_name = "Recipes"

    def ready(self):
{%- if any_level %}
        # Registers the system checks of the cache settings, and connects the signal
        # handlers that invalidate cached recipes after a write
{%- if read_ahead %} and that keep what the
        # pages cache reads to one request.
        from . import caching, checks, pages  # noqa: F401
{%- else %}.
        from . import caching, checks  # noqa: F401
{%- endif %}
{%- else %}
        # Registers the system checks of the cache settings.
        from . import checks  # noqa: F401
{%- endif %}
