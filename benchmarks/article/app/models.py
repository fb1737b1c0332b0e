from django.db import models


class Recipe(models.Model):
    name = models.CharField(max_length=200)
    desc = models.TextField(blank=True)

    def __str__(self):
        return self.name


class Ingredient(models.Model):
    recipe = models.ForeignKey(Recipe, on_delete=models.CASCADE)
    description = models.CharField(max_length=200)

    def __str__(self):
        return self.description
