from django.urls import path

from portfolio import views

app_name = "portfolio"

urlpatterns = [
    path("", views.home, name="home"),
    path("enrolments/<int:pk>/", views.enrolment_detail, name="enrolment_detail"),
    path("enrolments/<int:pk>/evidence/", views.evidence_list, name="evidence_list"),
    path("enrolments/<int:pk>/evidence/new/", views.evidence_create, name="evidence_create"),
    path(
        "enrolments/<int:pk>/specifications/<int:specification_pk>/matrix/",
        views.criterion_matrix,
        name="criterion_matrix",
    ),
    path("evidence/<int:pk>/", views.evidence_detail, name="evidence_detail"),
    path("evidence/<int:pk>/edit/", views.evidence_edit, name="evidence_edit"),
    path("evidence/<int:pk>/picker/", views.criterion_picker, name="criterion_picker"),
    path("evidence/<int:pk>/mappings/", views.mapping_add, name="mapping_add"),
    path("evidence/<int:pk>/submit/", views.evidence_submit, name="evidence_submit"),
    path("mappings/<int:pk>/delete/", views.mapping_remove, name="mapping_remove"),
]
