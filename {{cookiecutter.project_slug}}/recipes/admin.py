from django.contrib import admin

from .models import Ingredient, Recipe


class IngredientInline(admin.TabularInline):
    model = Ingredient
    extra = 1


@admin.register(Recipe)
class RecipeAdmin(admin.ModelAdmin):
    list_display = ["name", "updated"]
    search_fields = ["name"]
    inlines = [IngredientInline]
