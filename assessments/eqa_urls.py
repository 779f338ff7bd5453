from django.urls import path

from assessments import eqa_views

app_name = "eqa"

urlpatterns = [
    path("centres/<int:pk>/eqa/", eqa_views.grant_list, name="grants"),
    path("centres/<int:pk>/eqa/<int:grant_pk>/revoke/", eqa_views.revoke, name="revoke"),
    path("centres/<int:pk>/eqa/<int:grant_pk>/log/", eqa_views.page_view_log, name="log"),
]
