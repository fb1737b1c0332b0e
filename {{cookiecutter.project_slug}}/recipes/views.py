{%- set page_cache = cookiecutter.cache_per_view -%}
{%- set fragment = cookiecutter.cache_template_fragment -%}
{%- set low_level = cookiecutter.cache_low_level -%}
from django.shortcuts import get_object_or_404, render

{% if page_cache -%}
from caching.pages import cache_page_for_anonymous

{% endif -%}
{% if fragment or low_level -%}
from .caching import {{ ([
    "cached_recipe_list" if low_level else "",
    "recipes_version" if fragment else "",
] | reject("equalto", "") | join(", ")) }}
{% endif -%}
from .models import Recipe

{% if page_cache %}
@cache_page_for_anonymous
{%- endif %}
def recipe_list(request):
{%- if low_level %}
    recipes = cached_recipe_list()
{%- else %}
    # Two queries whatever the number of recipes: the recipes, then their ingredients.
    recipes = Recipe.objects.prefetch_related("ingredients")
{%- endif %}
{%- if fragment %}
    context = {"recipes": recipes, "recipes_version": recipes_version()}
{%- else %}
    context = {"recipes": recipes}
{%- endif %}
    return render(request, "recipes/recipe_list.html", context)

{% if page_cache %}
@cache_page_for_anonymous
{%- endif %}
def recipe_detail(request, pk):
    recipe = get_object_or_404(Recipe, pk=pk)
{%- if fragment %}
    context = {"recipe": recipe, "recipes_version": recipes_version()}
{%- else %}
    context = {"recipe": recipe}
{%- endif %}
    return render(request, "recipes/recipe_detail.html", context)
