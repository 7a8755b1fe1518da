"""The programme-wide tables written in Python (checklists, mentoring, statistics) escape
every name, and link the rows as before."""

import pytest
from django.urls import reverse

from recruitment import services as recruitment_services

NASTY = 'Enhed <b>"fed"</b> & co'
ESCAPED = "Enhed &lt;b&gt;&quot;fed&quot;&lt;/b&gt; &amp; co"


@pytest.fixture
def nasty(cast):
    cast.unit.name = NASTY
    cast.unit.save()
    for member in (cast.peer.staff_member, cast.mentor):
        member.name = f"{member.name} {NASTY}"
        member.save()
    return recruitment_services.onboarding_start_for_peer(peer=cast.peer, by=cast.leader.user)


@pytest.mark.parametrize(
    ("role", "view"),
    [
        ("centre", "recruitment:checklist_overview"),
        ("leader", "recruitment:checklist_overview"),
        ("centre", "mentoring:overview"),
        ("leader", "mentoring:overview"),
        ("centre", "journal:statistics"),  # a unit a row
        ("leader", "journal:statistics"),  # a peer worker a row
    ],
)
def test_names_in_the_tables_are_escaped(client_for, nasty, role, view):
    html = client_for(role).get(reverse(view)).content.decode()
    table = html[html.index("<tbody>") :]
    assert ESCAPED in table
    assert "<b>" not in html


def test_the_rows_link_to_their_checklist_and_mentorship(client_for, cast, nasty):
    client = client_for("centre")
    overview = client.get(reverse("recruitment:checklist_overview")).content.decode()
    assert f'<a href="{reverse("recruitment:checklist", args=[nasty.pk])}">Pia Peer' in overview
    mentorship = cast.peer.mentorships.get()
    mentoring = client.get(reverse("mentoring:overview")).content.decode()
    url = reverse("mentoring:mentorship_detail", args=[mentorship.pk])
    assert f'<a href="{url}">Pia Peer' in mentoring
