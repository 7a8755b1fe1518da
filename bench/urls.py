"""The project's URLs plus the floor: a trivial view behind the same middleware."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from peerprogram.urls import urlpatterns as project_urlpatterns


def floor(request: HttpRequest) -> HttpResponse:
    """Login required (LoginRequiredMiddleware), no query of its own, no template."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/floor/", floor, name="bench_floor"), *project_urlpatterns]
