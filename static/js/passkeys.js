// Once django-otp-webauthn's script reports a passkey added, go where the server said: the account page, or the
// recovery codes made with a first passkey (shown once). Signing in with a passkey, the script goes on by itself.
document.addEventListener("otp_webauthn.register_complete", (event) => {
  const next = event.detail && event.detail.response && event.detail.response.redirect_url;
  if (next) {
    window.location.assign(next);
  }
});
