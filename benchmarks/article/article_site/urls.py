from django.contrib import admin
from django.urls import path

from app.views import recipes_view

urlpatterns = [
    path("admin/", admin.site.urls),
    path("recipe", recipes_view),
]
