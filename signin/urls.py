from django.urls import path

from signin import passkeys, views

app_name = "signin"
urlpatterns = [
    path("second-factor/", views.second_factor, name="second_factor"),
    path("second-factor/set-up/", views.set_up, name="set_up"),
    path("second-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("security/", views.account, name="account"),
    path("security/passkeys/<int:pk>/remove/", views.remove_passkey, name="remove_passkey"),
    # django-otp-webauthn's JSON views (signin.passkeys) and the catalog its script reads its messages from
    path("passkeys/register/begin/", passkeys.registration_begin, name="passkey_registration_begin"),
    path("passkeys/register/complete/", passkeys.registration_complete, name="passkey_registration_complete"),
    path("passkeys/use/begin/", passkeys.authentication_begin, name="passkey_authentication_begin"),
    path("passkeys/use/complete/", passkeys.authentication_complete, name="passkey_authentication_complete"),
    path("passkeys/messages.js", passkeys.script_catalog, name="passkey_messages"),
]
