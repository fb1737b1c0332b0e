from django.apps import AppConfig


class RecipesConfig(AppConfig):
    name = "recipes"
    verbose_name = "Recipes"

    def ready(self):
{%- if cookiecutter.cache_per_site or cookiecutter.cache_per_view or cookiecutter.cache_template_fragment or cookiecutter.cache_low_level %}
        # Registers the system checks of the cache settings, and the signal
        # handlers that invalidate cached recipes after a write.
        from . import caching, checks  # noqa: F401
{%- else %}
        # Registers the system checks of the cache settings.
        from . import checks  # noqa: F401
{%- endif %}
