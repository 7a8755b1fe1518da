"""Every page has a title of its own: two different pages a role reaches never share one
(a screen reader user tells tabs and history entries apart by it), and a page about a
person or a thing names it."""

import re
from collections import defaultdict
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from peerprogram.models import StaffMember
from tests.crawl import reachable

TITLE = re.compile(r"<title>(.*?)</title>", re.S)
# Parameters that choose whose or which period a page shows: another page, another title.
# Any other (sorting, paging, a filter, a form's first value) shows the same page.
OTHER_PAGE = {"person", "year", "month", "step"}


def _page(url: str, own: str) -> tuple[str, frozenset]:
    """The page an address shows (the calendar of one's own person is one's own calendar)."""
    parts = urlsplit(url)
    return parts.path, frozenset(
        (k, v)
        for k, v in parse_qsl(parts.query)
        if k in OTHER_PAGE and not (k == "person" and v == own)
    )


def title_of(client: Client, url: str) -> str:
    html = client.get(url).content.decode()
    match = TITLE.search(html)
    assert match, url
    return " ".join(unescape(match.group(1)).split())


@pytest.mark.parametrize("username", ["leder", "peer", "mentor", "center"])
def test_no_two_pages_a_role_reaches_share_a_title(demo_programme, username):
    client = Client()
    user = get_user_model().objects.get(username=username)
    client.force_login(user)
    own = str(StaffMember.objects.get(user=user).pk)
    pages = reachable(client)
    by_title = defaultdict(set)
    for url in pages.values():
        by_title[title_of(client, url)].add(_page(url, own))
    shared = {title: pages for title, pages in by_title.items() if len(pages) > 1}
    assert not shared, "\n".join(
        f"{title}: "
        + ", ".join(
            sorted(
                path + ("?" if q else "") + "&".join(f"{k}={v}" for k, v in sorted(q))
                for path, q in pages
            )
        )
        for title, pages in sorted(shared.items())
    )
