"""The sample page, the IV's decision, admin check and completion, and actions (names in `assessments`)."""

from django.urls import path

from assessments import iqa_sample_views as views

urlpatterns = [
    path("samples/<int:pk>/", views.sample_detail, name="sample_detail"),
    path("samples/<int:pk>/decide/", views.sample_decide, name="sample_decide"),
    path("samples/<int:pk>/admin-check/", views.sample_admin_check, name="sample_admin_check"),
    path("samples/<int:pk>/completion/", views.sample_completion, name="sample_completion"),
    path("actions/<int:pk>/respond/", views.action_respond, name="action_respond"),
    path("actions/<int:pk>/close/", views.action_close, name="action_close"),
    path("iqa/feedback-and-actions/", views.my_iqa, name="my_iqa"),
]
