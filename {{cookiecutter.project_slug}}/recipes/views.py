{%- set page_cache = cookiecutter.cache_per_view -%}
{%- set low_level = cookiecutter.cache_low_level -%}
{% if low_level -%}
from django.core.paginator import InvalidPage
{% else -%}
from django.core.paginator import InvalidPage, Paginator
{% endif -%}
from django.http import Http404
from django.shortcuts import get_object_or_404, render

{% if page_cache -%}
from caching.pages import cache_page_for_anonymous

{% endif -%}
{% if low_level -%}
from .caching import cached_recipe_list
from .models import Recipe
{% else -%}
from .models import RECIPES_PER_PAGE, Recipe
{% endif %}
{% if page_cache %}
@cache_page_for_anonymous
{%- endif %}
def recipe_list(request):
    try:
{%- if low_level %}
        page = cached_recipe_list(request.GET.get("page", 1))
{%- else %}
        # Three queries whatever the number of recipes: the count, one page of
        # recipes, then their ingredients.
        recipes = Recipe.objects.prefetch_related("ingredients")
        page = Paginator(recipes, RECIPES_PER_PAGE).page(request.GET.get("page", 1))
{%- endif %}
    except InvalidPage as error:
        # Not a number, or past the last page: no such page, never a server error.
        raise Http404(str(error)) from None
    return render(request, "recipes/recipe_list.html", {"page": page})

{% if page_cache %}
@cache_page_for_anonymous
{%- endif %}
def recipe_detail(request, pk):
    recipe = get_object_or_404(Recipe, pk=pk)
    return render(request, "recipes/recipe_detail.html", {"recipe": recipe})
