from django.urls import path

from portfolio import centre_views as views

app_name = "centre"

urlpatterns = [
    path("centres/", views.index, name="index"),
    path("centres/<int:pk>/", views.overview, name="overview"),
    path("centres/<int:pk>/people/", views.person_list, name="people"),
    path("centres/<int:pk>/people/new/", views.register_person, name="register_person"),
    path("centres/<int:pk>/people/<int:user_pk>/roles/", views.person_roles, name="person_roles"),
    path(
        "centres/<int:pk>/people/<int:user_pk>/invitation/", views.resend_invitation, name="resend_invitation"
    ),
    path("centres/<int:pk>/enrolments/", views.enrolment_list, name="enrolments"),
    path("centres/<int:pk>/enrolments/new/", views.enrolment_create, name="enrolment_create"),
    path("centres/<int:pk>/enrolments/<int:enrolment_pk>/", views.enrolment_edit, name="enrolment_edit"),
]
