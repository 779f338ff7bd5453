from django.urls import path

from assessments.views import caseload, observations, progress, review, signing

app_name = "assessments"

urlpatterns = [
    path("", progress.home, name="home"),
    path("enrolments/<int:pk>/", progress.enrolment_detail, name="enrolment_detail"),
    path(
        "enrolments/<int:pk>/specifications/<int:specification_pk>/matrix/",
        progress.criterion_matrix,
        name="criterion_matrix",
    ),
    path("caseload/", caseload.caseload, name="caseload"),
    path("evidence/<int:pk>/review/", review.review, name="review"),
    path("evidence/<int:pk>/review/mappings/", review.review_mapping_add, name="mapping_add"),
    path("mappings/<int:pk>/review-delete/", review.review_mapping_remove, name="mapping_remove"),
    path("enrolments/<int:pk>/observations/new/", observations.observation_create, name="observation_create"),
    path("enrolments/<int:pk>/specifications/<int:specification_pk>/sign/", signing.sign, name="sign"),
    path("enrolments/<int:pk>/specifications/<int:specification_pk>/reopen/", signing.reopen, name="reopen"),
]
