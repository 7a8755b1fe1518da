import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

# How often a signed-in person's session is saved to move its idle timeout on.
SESSION_REFRESH_SECONDS = 60


def danish_unless_chosen(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Danish is the product's language: the browser's language preference is not used.

    English is shown only when the user picks it with the language switch (a cookie).
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return get_response(request)

    return middleware


def pages_are_not_stored(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """No browser or proxy keeps a copy of a page: `Cache-Control: no-store` on every response
    a view makes, whoever asked.

    One rule rather than a list of pages with patient or applicant data: a list misses the
    next page that shows some, and a health-data app is used on shared computers, where the
    back button after logging out must not bring a page back. A view that sets its own
    Cache-Control keeps it (the calendar feed that Outlook polls). Static files never get
    here: WhiteNoise, above this middleware, answers them with its long cache.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response

    return middleware


def idle_timeout_moves_on(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """A signed-in session expires SESSION_COOKIE_AGE (30 minutes) after the person's last
    request: it is saved, which moves its expiry on, at most once a minute rather than on
    every request (SESSION_SAVE_EVERY_REQUEST wrote the session's row and committed on
    every page, a read included). The idle timeout is then between 29 and 30 minutes,
    never longer. Below the session middleware, which saves what is marked here."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        # Only a signed-in person's session (an unknown or expired cookie on a page open to
        # all must not make a new session).
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session = request.session
            now = int(time.time())
            if now - session.get("_refreshed", 0) >= SESSION_REFRESH_SECONDS:
                session["_refreshed"] = now
        return response

    return middleware
