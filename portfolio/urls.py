from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="units:specification_list"), name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("specifications/", include("units.urls")),
    path("admin/", admin.site.urls),
]
