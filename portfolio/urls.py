from django.urls import path

from portfolio.views import evidence, files, history, previews

app_name = "portfolio"

urlpatterns = [
    path("enrolments/<int:pk>/evidence/", evidence.evidence_list, name="evidence_list"),
    path("enrolments/<int:pk>/evidence/new/", evidence.evidence_create, name="evidence_create"),
    path("enrolments/<int:pk>/history/", history.history, name="history"),
    path("evidence/<int:pk>/", evidence.evidence_detail, name="evidence_detail"),
    path("evidence/<int:pk>/edit/", evidence.evidence_edit, name="evidence_edit"),
    path("evidence/<int:pk>/picker/", evidence.criterion_picker, name="criterion_picker"),
    path("evidence/<int:pk>/mappings/", evidence.mapping_add, name="mapping_add"),
    path("evidence/<int:pk>/submit/", evidence.evidence_submit, name="evidence_submit"),
    path("mappings/<int:pk>/delete/", evidence.mapping_remove, name="mapping_remove"),
    path("evidence/<int:pk>/files/", files.upload_files, name="file_upload"),
    path("files/<int:pk>/", files.download_file, name="file_download"),
    path("files/<int:pk>/view/", files.view_file, name="file_view"),
    path("files/<int:pk>/preview/", previews.preview_file, name="file_preview"),
    path("files/<int:pk>/replace/", files.replace_file, name="file_replace"),
]
