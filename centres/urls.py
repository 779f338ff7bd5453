from django.urls import path

from centres.views import enrolments, eqa, people

app_name = "centres"

urlpatterns = [
    path("centres/", people.index, name="index"),
    path("centres/<int:pk>/", people.overview, name="overview"),
    path("centres/<int:pk>/people/", people.person_list, name="people"),
    path("centres/<int:pk>/people/new/", people.register_person, name="register_person"),
    path("centres/<int:pk>/people/<int:user_pk>/roles/", people.person_roles, name="person_roles"),
    path(
        "centres/<int:pk>/people/<int:user_pk>/invitation/",
        people.resend_invitation,
        name="resend_invitation",
    ),
    path("centres/<int:pk>/enrolments/", enrolments.enrolment_list, name="enrolments"),
    path("centres/<int:pk>/enrolments/new/", enrolments.enrolment_create, name="enrolment_create"),
    path("centres/<int:pk>/enrolments/<int:enrolment_pk>/", enrolments.enrolment_edit, name="enrolment_edit"),
    path("centres/<int:pk>/eqa/", eqa.grant_list, name="eqa_grants"),
    path("centres/<int:pk>/eqa/<int:grant_pk>/revoke/", eqa.revoke, name="eqa_revoke"),
    path("centres/<int:pk>/eqa/<int:grant_pk>/log/", eqa.page_view_log, name="eqa_log"),
]
