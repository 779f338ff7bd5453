from django.urls import include, path

from assessments import views

app_name = "assessments"

urlpatterns = [
    path("caseload/", views.caseload, name="caseload"),
    path("evidence/<int:pk>/review/", views.review, name="review"),
    path("evidence/<int:pk>/review/mappings/", views.review_mapping_add, name="mapping_add"),
    path("mappings/<int:pk>/review-delete/", views.review_mapping_remove, name="mapping_remove"),
    path("enrolments/<int:pk>/observations/new/", views.observation_create, name="observation_create"),
    path("enrolments/<int:pk>/specifications/<int:specification_pk>/sign/", views.sign, name="sign"),
    path("enrolments/<int:pk>/specifications/<int:specification_pk>/reopen/", views.reopen, name="reopen"),
    path("", include("assessments.iqa_sample_urls")),
    path("", include("assessments.iqa_plan_urls")),
]
