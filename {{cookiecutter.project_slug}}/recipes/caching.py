{%- set d = derived(cookiecutter) -%}
"""How the recipes app's cache entries go stale: the recipes version (caching/versions.py).

Everything cached from recipe data carries the *recipes version* in its key: a
random token kept in the cache, replaced after every committed write to a recipe
or an ingredient, which makes every older entry unreachable at once.
"""

from caching.versions import Version

from .models import Ingredient, Recipe

RECIPES = Version("recipes", models=[Recipe, Ingredient])

# The token in the key of every page, fragment and list cached from recipe data.
recipes_version = RECIPES.current

# Makes every cached page, fragment and list of recipes stale, everywhere. Runs by
# itself after a recipe or an ingredient is saved or deleted; writes that send no
# signals (QuerySet.update(), bulk_create(), bulk_update(), raw SQL) must call it
# themselves, after they commit.
invalidate_recipe_caches = RECIPES.bump
{%- if d.versioned %}

# KEY_FUNCTION of the "pages" cache (config/settings.py): pages, their header
# entries and fragments, keyed under the recipes version.
page_cache_key = RECIPES.make_key
{%- endif %}
