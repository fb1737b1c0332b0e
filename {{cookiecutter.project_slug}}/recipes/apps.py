from django.apps import AppConfig


class RecipesConfig(AppConfig):
    name = "recipes"
    verbose_name = "Recipes"
{%- if cookiecutter.cache_per_site or cookiecutter.cache_per_view or cookiecutter.cache_template_fragment or cookiecutter.cache_low_level %}

    def ready(self):
        # Connects the signal handlers that invalidate cached recipes after a write.
        from . import caching  # noqa: F401
{%- endif %}
