from django.urls import path

from portfolio import file_views

app_name = "files"

urlpatterns = [
    path("evidence/<int:pk>/files/", file_views.upload_files, name="upload"),
    path("files/<int:pk>/", file_views.download_file, name="download"),
    path("files/<int:pk>/view/", file_views.view_file, name="view"),
    path("files/<int:pk>/replace/", file_views.replace_file, name="replace"),
]
