{% if cookiecutter.cache_low_level -%}
from functools import wraps

from django.core.paginator import InvalidPage
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt

from .lists import cached_recipe_list
from .models import Recipe
{% else -%}
from functools import wraps

from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt

from .models import RECIPES_PER_PAGE, Recipe
{% endif %}
# What the pages answer to: reading them, and asking how.
ALLOWED_METHODS = ["GET", "HEAD", "OPTIONS"]


def read_only(view):
    """GET and HEAD run the view; OPTIONS lists them without running it; the rest get a 405.

    TRACE, POST, PUT, ... answer 405 with Allow, the cached page never involved.
    csrf_exempt lets a POST get that 405 rather than CSRF's 403: no method that
    could change anything reaches the view, so there is no token to check.
    https://docs.djangoproject.com/en/5.2/topics/http/decorators/#allowed-http-methods
    """

    @csrf_exempt
    @wraps(view)
    def only_reads(request, *args, **kwargs):
        if request.method == "OPTIONS":
            return HttpResponse(status=204, headers={"Allow": ", ".join(ALLOWED_METHODS)})
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(ALLOWED_METHODS)
        return view(request, *args, **kwargs)

    return only_reads


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
