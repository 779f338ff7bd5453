from django.urls import path

from signin import views

app_name = "signin"
urlpatterns = [
    path("second-factor/", views.second_factor, name="second_factor"),
    path("second-factor/set-up/", views.set_up, name="set_up"),
    path("second-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("security/", views.account, name="account"),
]
