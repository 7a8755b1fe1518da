from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


def danish_unless_chosen(get_response: Callable[[HttpRequest], HttpResponse]):
    """Danish is the product's language: the browser's language preference is not used.

    English is shown only when the user picks it with the language switch (a cookie).
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return get_response(request)

    return middleware
