{%- if cookiecutter.use_debug_toolbar -%}
from django.conf import settings
{% endif -%}
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from . import views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="recipes:list"), name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("recipes/", include("recipes.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
{%- if cookiecutter.use_debug_toolbar %}

if "debug_toolbar" in settings.INSTALLED_APPS:
    from debug_toolbar.toolbar import debug_toolbar_urls

    urlpatterns += debug_toolbar_urls()
{%- endif %}
