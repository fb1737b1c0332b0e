"""Fresh after write: an edit shows on the next request, at every enabled level."""

import pytest
from django.db import transaction

from recipes.models import Ingredient, Recipe

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached(client, recipes):
    """Visit the list and a detail page twice, so every enabled cache holds them."""
    recipe = recipes[0]
    urls = ["/recipes/", f"/recipes/{recipe.pk}/"]
    for _ in range(2):
        for url in urls:
            assert client.get(url).status_code == 200
    return recipe, urls


def pages(client, urls):
    return [client.get(url).text for url in urls]


def test_edit_shows_on_next_request(client, cached, django_capture_on_commit_callbacks):
    recipe, urls = cached
    with django_capture_on_commit_callbacks(execute=True):
        recipe.name = "Renamed soup"
        recipe.save()
    assert all("Renamed soup" in page for page in pages(client, urls))


def test_admin_edit_shows_on_next_request(
    client, admin_client, cached, django_capture_on_commit_callbacks
):
    recipe, urls = cached
    ingredients = list(recipe.ingredients.all())
    form = {
        "name": "Edited in the admin",
        "description": recipe.description,
        "ingredients-TOTAL_FORMS": len(ingredients),
        "ingredients-INITIAL_FORMS": len(ingredients),
    }
    for number, ingredient in enumerate(ingredients):
        form[f"ingredients-{number}-id"] = ingredient.pk
        form[f"ingredients-{number}-recipe"] = recipe.pk
        form[f"ingredients-{number}-description"] = ingredient.description
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/recipes/recipe/{recipe.pk}/change/", form)
    assert response.status_code == 302, response.content
    assert all("Edited in the admin" in page for page in pages(client, urls))


def test_new_ingredient_shows_on_next_request(client, cached, django_capture_on_commit_callbacks):
    recipe, urls = cached
    with django_capture_on_commit_callbacks(execute=True):
        recipe.ingredients.create(description="smoked paprika")
    assert all("smoked paprika" in page for page in pages(client, urls))


def test_queryset_delete_shows_on_next_request(client, cached, django_capture_on_commit_callbacks):
    recipe, urls = cached
    with django_capture_on_commit_callbacks(execute=True):
        Ingredient.objects.filter(recipe=recipe).delete()
        Recipe.objects.filter(pk=recipe.pk).delete()
    assert recipe.name not in client.get(urls[0]).text
    assert client.get(urls[1]).status_code == 404


def test_rolled_back_edit_keeps_the_cached_page(client, cached, django_capture_on_commit_callbacks):
    recipe, urls = cached
    before = pages(client, urls)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        Recipe.objects.filter(pk=recipe.pk).update(name="Never saved")
        recipe.ingredients.create(description="never added")
        raise RuntimeError("roll back")
    assert callbacks == []
    assert pages(client, urls) == before
