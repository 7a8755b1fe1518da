"""Template tags of the page layout (base.html)."""

from __future__ import annotations

import functools

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import get_language

from peerprogram.access import get_actor

register = template.Library()


@register.simple_tag(takes_context=True)
def main_menu(context) -> str:
    """The navigation bar's links for the user's roles, the current one marked.

    The menu depends on nothing but the roles, the page (its URL name and application),
    the peer worker's own page and the language, and it is the same for everyone alike:
    it is rendered once per such combination and kept (the template costs about 1 ms of
    every page, the lookup microseconds). The user's name and the forms with a CSRF token
    stay outside, in base.html."""
    request = context["request"]
    actor = get_actor(request.user)
    match = request.resolver_match
    # While developing, every page renders it afresh: an edited template shows at once.
    menu = _menu.__wrapped__ if settings.DEBUG else _menu
    return menu(
        get_language(),
        match.url_name if match else None,
        match.app_name if match else None,
        manages_units=actor.manages_units,
        sees_programme=actor.sees_programme,
        is_staff_member=actor.staff is not None,
        is_mentor=actor.is_mentor,
        is_superuser=bool(request.user.is_superuser),
        peer_url=actor.peer.get_absolute_url() if actor.peer else "",
    )


@functools.lru_cache(maxsize=2048)  # a few kB each; a peer worker's own page is in the key
def _menu(language: str, current: str | None, app: str | None, **roles) -> str:
    # render_to_string translates into the active language, which is `language`, and
    # returns safe HTML (the template escaped what it wrote).
    return render_to_string("_main_menu.html", {"current": current, "app": app, **roles})
