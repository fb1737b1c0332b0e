{%- set d = derived(cookiecutter) -%}
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

{% if d.any_level -%}
from recipes.caching import invalidate_recipe_caches
{% endif -%}
from recipes.models import Ingredient, Recipe

DISHES = [
    ("Tomato soup", ["tomatoes", "onion", "garlic", "olive oil", "basil"]),
    ("Pancakes", ["flour", "milk", "eggs", "butter", "sugar"]),
    ("Guacamole", ["avocados", "lime", "red onion", "coriander", "chili"]),
    ("Risotto", ["arborio rice", "stock", "parmesan", "white wine", "shallot"]),
    ("Shakshuka", ["eggs", "tomatoes", "peppers", "cumin", "paprika"]),
    ("Lentil curry", ["red lentils", "coconut milk", "ginger", "curry paste", "spinach"]),
]
# Rows per INSERT: PostgreSQL takes at most 65,535 values in one statement.
BATCH_SIZE = 500


class Command(BaseCommand):
    help = "Create sample recipes with a few ingredients each; running it again adds none twice."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=20, help="how many recipes (default 20)")

    @transaction.atomic
    def handle(self, *args, count, **options):
        if count < 0:
            raise CommandError(f"--count must be 0 or more (got {count})")
        existing = set(Recipe.objects.values_list("name", flat=True))
        new = []  # (recipe, its ingredients)
        for number in range(1, count + 1):
            dish, ingredients = DISHES[(number - 1) % len(DISHES)]
            name = f"{dish} #{number}"
            if name not in existing:
                description = f"Sample recipe number {number}: {dish.lower()}."
                new.append((Recipe(name=name, description=description), ingredients))
        # bulk_create sets the new recipes' primary keys (on SQLite and PostgreSQL).
        Recipe.objects.bulk_create([recipe for recipe, _ in new], batch_size=BATCH_SIZE)
        Ingredient.objects.bulk_create(
            (
                Ingredient(recipe=recipe, description=ingredient)
                for recipe, ingredients in new
                for ingredient in ingredients
            ),
            batch_size=BATCH_SIZE,
        )
{%- if d.any_level %}
        # bulk_create sends no signals: the cached pages learn of the new recipes here.
        transaction.on_commit(invalidate_recipe_caches)
{%- endif %}
        self.stdout.write(f"{len(new)} recipes created, {count - len(new)} already there.")
