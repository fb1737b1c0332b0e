{% if cookiecutter.cache_low_level -%}
from django.core.paginator import InvalidPage
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from .decorators import read_only
from .lists import cached_recipe_list
from .models import Recipe
{% else -%}
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from .decorators import read_only
from .models import RECIPES_PER_PAGE, Recipe
{% endif %}

@read_only
def recipe_list(request):
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
