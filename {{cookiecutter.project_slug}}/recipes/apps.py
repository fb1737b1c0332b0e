{%- set d = derived(cookiecutter) -%}
from django.apps import AppConfig


class RecipesConfig(AppConfig):
    name = "recipes"
    verbose_name = "Recipes"

    def ready(self):
        # Imported for what they register. The system checks of the backend's settings:
        import caching.checks  # noqa: F401
{%- if d.any_level %}

        # The signal handlers that invalidate cached recipes after a write:
        import recipes.caching  # noqa: F401
{%- endif %}

        # The system checks of the other cache settings:
        import recipes.checks  # noqa: F401
