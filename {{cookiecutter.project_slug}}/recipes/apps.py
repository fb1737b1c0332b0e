{%- set d = derived(cookiecutter) -%}
from django.apps import AppConfig


class RecipesConfig(AppConfig):
    name = "recipes"
    verbose_name = "Recipes"
{%- if d.any_level %}

    def ready(self):
        # Imported for what it registers: the signal handlers that invalidate
        # cached recipes after a write.
        import recipes.caching  # noqa: F401
{%- endif %}
