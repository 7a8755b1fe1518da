"""The password reset page, with a limit on the e-mails it sends.

Django's own page sends a mail each time the form is sent: anyone could fill a colleague's
inbox, or have the server mail many addresses. Here a mail goes at most
PASSWORD_RESET_MAILS_PER_ADDRESS times per e-mail address and PASSWORD_RESET_MAILS_PER_CLIENT
times per client address in PASSWORD_RESET_LIMIT_SECONDS. Over the limit the page answers
exactly as always, so it never tells whether an account exists or whether a mail went.

The counts live in Django's cache (`add` and `incr`, atomic in Redis and Memcached): with
CACHE_URL naming a shared cache, every app server counts together.
"""

from __future__ import annotations

import logging
from typing import Any

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordResetForm
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.utils.crypto import salted_hmac
from django.utils.decorators import method_decorator

logger = logging.getLogger(__name__)


def _within_limit(kind: str, value: str, limit: int) -> bool:
    """Count one more request for `value`; False once the window holds more than `limit`.
    The window starts at the first request. The key holds a keyed hash, not the address."""
    key = f"password-reset:{kind}:{salted_hmac('password-reset', value).hexdigest()}"
    window = settings.PASSWORD_RESET_LIMIT_SECONDS
    if cache.add(key, 1, timeout=window):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # the count expired between add and incr: a new window
        cache.add(key, 1, timeout=window)
        count = 1
    return count <= limit


def may_send(*, email: str, client: str) -> bool:
    """Whether a reset mail may go to `email` for a request from `client`; counts the
    request. A client over its limit does not use up the address's mails."""
    return _within_limit("client", client, settings.PASSWORD_RESET_MAILS_PER_CLIENT) and (
        _within_limit("email", email.strip().lower(), settings.PASSWORD_RESET_MAILS_PER_ADDRESS)
    )


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset page, sending no more than the limits allow. GET and POST
    only (Django's form views answer PUT like a POST)."""

    http_method_names = ["get", "post", "head", "options"]

    @method_decorator(login_not_required)
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not settings.LOCAL_LOGIN:  # no passwords: nothing to reset
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        # The client as django-axes sees it for failed logins (peerprogram.logs.client_ip).
        client = get_client_ip_address(self.request) or "unknown"
        if may_send(email=form.cleaned_data["email"], client=client):
            return super().form_valid(form)
        logger.warning("Password reset mail held back: over the limit (client %s).", client)
        # The answer a sent mail gets: the page never tells whether a mail went.
        return HttpResponseRedirect(self.get_success_url())
