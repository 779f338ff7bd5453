from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("enrolments/<int:pk>/history/", views.history, name="history"),
]
