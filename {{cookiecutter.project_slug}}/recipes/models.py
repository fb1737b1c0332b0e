from django.db import models
from django.urls import reverse

# The recipe list shows this many recipes a page, newest first.
RECIPES_PER_PAGE = 50


class Recipe(models.Model):
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        # Newest first, in the list and in the admin. The index serves this order,
        # so a page of the list reads its 50 rows, not the whole table, to sort.
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["-created", "-id"], name="recipes_newest_first")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("recipes:detail", args=[self.pk])


class Ingredient(models.Model):
    recipe = models.ForeignKey(Recipe, on_delete=models.CASCADE, related_name="ingredients")
    description = models.CharField(max_length=200)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.description
