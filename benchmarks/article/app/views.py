from django.shortcuts import render
from django.views.decorators.cache import cache_page

from .models import Recipe


# The article's "Caching in Django With Redis" view, with .all() called (the
# article passes the method; templates call it, so the page is the same).
@cache_page(60 * 15)
def recipes_view(request):
    recipes = Recipe.objects.all()
    return render(request, "app/recipes.html", {"recipes": recipes})
