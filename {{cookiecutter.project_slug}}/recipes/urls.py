from django.urls import path
{%- if cookiecutter.cache_per_view %}

from caching.pages import cache_page_for_anonymous

from . import views

app_name = "recipes"
# Each page cached whole for visitors who are not signed in (caching/pages.py).
# Here rather than on the views, as Django's docs advise: the views stay free of it.
# https://docs.djangoproject.com/en/5.2/topics/cache/#specifying-per-view-cache-in-the-urlconf
urlpatterns = [
    path("", cache_page_for_anonymous(views.recipe_list), name="list"),
    path("<int:pk>/", cache_page_for_anonymous(views.recipe_detail), name="detail"),
]
{%- else %}

from . import views

app_name = "recipes"
urlpatterns = [
    path("", views.recipe_list, name="list"),
    path("<int:pk>/", views.recipe_detail, name="detail"),
]
{%- endif %}
