{% if cookiecutter.cache_low_level -%}
from django.core.paginator import InvalidPage
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from .decorators import read_only
from .lists import cached_recipe_list
from .models import Recipe
{% else -%}
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from .decorators import read_only
from .models import RECIPES_PER_PAGE, Recipe
{% endif %}

def canonical_list_url(request):
    """The list's one URL for the page asked for, if it was asked for under another; else None.

    ?page=1 is /recipes/, ?page=02 is ?page=2, and a page given twice is the last
    one: each page has one URL, so it is cached once.
    """
    pages = request.GET.getlist("page")
    number = pages[-1].lstrip("0") if pages and pages[-1].isascii() else ""
    if not number.isdigit():
        return None  # No page asked for, or none there can be: the paginator says which.
    query = "" if number == "1" else f"page={number}"
    if request.META.get("QUERY_STRING", "") == query:
        return None
    return f"{request.path}?{query}" if query else request.path


@read_only
def recipe_list(request):
    if url := canonical_list_url(request):
        return redirect(url, permanent=True)
    try:
{%- if cookiecutter.cache_low_level %}
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


@read_only
def recipe_detail(request, pk):
    recipe = get_object_or_404(Recipe, pk=pk)
    return render(request, "recipes/recipe_detail.html", {"recipe": recipe})
