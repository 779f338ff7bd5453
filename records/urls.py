from django.urls import path

from records import views

app_name = "records"

urlpatterns = [
    path(
        "enrolments/<int:pk>/specifications/<int:specification_pk>/completion-record.pdf",
        views.completion_record,
        name="completion_record",
    ),
    path("enrolments/<int:pk>/records/", views.portfolio_exports, name="portfolio_exports"),
    path("centres/<int:pk>/exports/", views.centre_exports, name="centre_exports"),
    path("exports/<int:pk>/", views.export, name="export"),
    path("exports/<int:pk>/download/", views.download_export, name="download_export"),
]
