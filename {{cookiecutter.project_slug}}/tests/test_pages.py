import io

import pytest
from django.core.management import call_command

from recipes.models import Recipe

pytestmark = pytest.mark.django_db


def test_home_leads_to_the_list(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/recipes/"


def test_list_shows_every_recipe_with_its_ingredients(client, recipes):
    response = client.get("/recipes/")
    assert response.status_code == 200
    for recipe in recipes:
        assert recipe.name in response.text
        for ingredient in recipe.ingredients.all():
            assert ingredient.description in response.text


def test_detail_shows_one_recipe(client, recipes):
    recipe = recipes[0]
    response = client.get(f"/recipes/{recipe.pk}/")
    assert response.status_code == 200
    assert recipe.name in response.text
    assert recipes[1].name not in response.text
    assert recipe.ingredients.first().description in response.text


def test_missing_recipe_is_404(client, db):
    assert client.get("/recipes/999999/").status_code == 404


def test_list_queries_do_not_grow_with_the_number_of_recipes(
    client, recipes, capture_recipe_queries, django_capture_on_commit_callbacks
):
    with capture_recipe_queries() as few:
        client.get("/recipes/")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_recipes", count=120, stdout=io.StringIO())
    with capture_recipe_queries() as many:
        client.get("/recipes/")
    assert Recipe.objects.count() == 120
    # The count (for the page links), one page of recipes, then their ingredients.
    assert len(few) == len(many) == 3, many


def test_seed_twice_creates_no_duplicates(db):
    call_command("seed_recipes", count=5, stdout=io.StringIO())
    call_command("seed_recipes", count=5, stdout=io.StringIO())
    assert Recipe.objects.count() == 5
    assert all(recipe.ingredients.count() == 5 for recipe in Recipe.objects.all())


def test_seeding_shows_on_the_next_request(client, recipes, django_capture_on_commit_callbacks):
    client.get("/recipes/")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_recipes", count=4, stdout=io.StringIO())
    assert "Risotto #4" in client.get("/recipes/").text
