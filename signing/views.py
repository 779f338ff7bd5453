"""The published public key set, for anyone who holds a signed record and wants to check it."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from signing.keys import keyset


@login_not_required
@require_safe
@cache_control(public=True, max_age=300)
def published_keys(request: HttpRequest) -> JsonResponse:
    """`/.well-known/portfolio-keys.json`: every key id with its centre, algorithm, public key and validity."""
    return JsonResponse(keyset().to_json(), json_dumps_params={"indent": 2})
