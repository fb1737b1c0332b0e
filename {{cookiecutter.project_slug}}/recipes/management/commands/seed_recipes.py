from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from recipes.models import Recipe

DISHES = [
    ("Tomato soup", ["tomatoes", "onion", "garlic", "olive oil", "basil"]),
    ("Pancakes", ["flour", "milk", "eggs", "butter", "sugar"]),
    ("Guacamole", ["avocados", "lime", "red onion", "coriander", "chili"]),
    ("Risotto", ["arborio rice", "stock", "parmesan", "white wine", "shallot"]),
    ("Shakshuka", ["eggs", "tomatoes", "peppers", "cumin", "paprika"]),
    ("Lentil curry", ["red lentils", "coconut milk", "ginger", "curry paste", "spinach"]),
]


class Command(BaseCommand):
    help = "Create sample recipes with a few ingredients each; running it again adds none twice."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=20, help="how many recipes (default 20)")

    @transaction.atomic
    def handle(self, *args, count, **options):
        if count < 0:
            raise CommandError(f"--count must be 0 or more (got {count})")
        created = 0
        for number in range(1, count + 1):
            dish, ingredients = DISHES[(number - 1) % len(DISHES)]
            recipe, is_new = Recipe.objects.get_or_create(
                name=f"{dish} #{number}",
                defaults={"description": f"Sample recipe number {number}: {dish.lower()}."},
            )
            if is_new:
                created += 1
                for ingredient in ingredients:
                    recipe.ingredients.create(description=ingredient)
        self.stdout.write(f"{created} recipes created, {count - created} already there.")
