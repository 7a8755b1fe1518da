"""The mentoring overview's table: a mentorship a row, linked, with its check-ins held, the
last and next, and the warning; names as text; the leader's units only."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tests.education.factories import CheckInFactory
from tests.factories import MentorshipFactory, PeerWorkerFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
SCRIPT = '<script>alert("x")</script> & co\'s'


def _rows(client) -> list[str]:
    html = client.get(reverse("mentoring:overview")).content.decode()
    start = html.index('data-testid="mentoring-overview"')
    body = html[html.index("<tbody>", start) : html.index("</tbody>", start)]
    return [re.sub(r"\s+", " ", row) for row in re.findall(r"<tr[ >].*?</tr>", body, re.S)]


def test_each_row_links_to_its_mentorship_and_shows_names_as_text(client_for, cast):
    mentorship = cast.peer.mentorships.get()
    cast.unit.name = f"Enhed {SCRIPT}"
    cast.unit.save()
    for member in (cast.peer.staff_member, cast.mentor):
        member.name = f"{member.name} {SCRIPT}"
        member.save()
    [row] = _rows(client_for("leader", "en"))
    url = reverse("mentoring:mentorship_detail", args=[mentorship.pk])
    assert f'<td><a href="{url}">Pia Peer {escape(SCRIPT)}</a></td>' in row
    assert f"<td>Enhed {escape(SCRIPT)}</td> <td>Mads Mentor {escape(SCRIPT)}</td>" in row
    assert "<script>" not in row


def test_a_row_shows_the_share_held_and_the_last_and_next_check_in(client_for, cast):
    cast.peer.mentorships.all().delete()
    mentorship = MentorshipFactory(
        peer=cast.peer, mentor=cast.mentor, start_date=TODAY() - datetime.timedelta(days=10)
    )
    held, _missed, coming = (
        CheckInFactory(mentorship=mentorship, date=TODAY() + datetime.timedelta(days=n), status=s)
        for n, s in ((-3, "held"), (-2, "planned"), (4, "planned"))
    )
    [row] = _rows(client_for("leader", "en"))
    assert '<td class="text-end text-nowrap" data-testid="share">50 % ' in row
    assert '<span class="small text-body-secondary">(1/2)</span></td>' in row
    assert (
        f'<td class="text-nowrap">{held.date:%-d %b %Y}</td> '
        f'<td class="text-nowrap">{coming.date:%-d %b %Y}</td>'
    ) in row
    assert row.startswith("<tr>")  # held within the last two weeks: no warning


def test_a_mentorship_without_check_ins_held_is_warned_about(client_for, cast):
    cast.peer.mentorships.all().delete()
    MentorshipFactory(
        peer=cast.peer, mentor=cast.mentor, start_date=TODAY() - datetime.timedelta(days=40)
    )
    CheckInFactory(
        mentorship=cast.peer.mentorships.get(),
        date=TODAY() - datetime.timedelta(days=33),
        status="planned",
    )
    [row] = _rows(client_for("leader", "en"))
    assert row.startswith('<tr class="table-warning">')
    assert '<span class="text-danger">No check-in held since the start.</span>' in row
    assert '<td class="text-end text-nowrap" data-testid="share">0 % ' in row
    assert '<td class="text-nowrap">–</td>' in row  # never held


def test_after_six_months_the_row_asks_whether_to_go_on(client_for, cast):
    cast.peer.mentorships.all().delete()
    MentorshipFactory(
        peer=cast.peer, mentor=cast.mentor, start_date=TODAY() - datetime.timedelta(days=200)
    )
    [row] = _rows(client_for("leader", "en"))
    assert "<br>Six months have passed: continue monthly or end?</td>" in row
    assert '<td class="text-end text-nowrap" data-testid="share">–</td>' in row  # nothing due


def test_a_leader_sees_their_own_units_mentorships_and_the_centre_all(client_for, cast):
    MentorshipFactory(peer=cast.other_peer, mentor=cast.outsider)
    leader = _rows(client_for("leader"))
    assert len(leader) == 1 and "Pia Peer" in leader[0]
    centre = _rows(client_for("centre"))
    assert {("Pia" in row, "Per Anden" in row) for row in centre} == {(True, False), (False, True)}


def test_without_active_mentorships_the_table_says_so(client_for, cast):
    cast.peer.mentorships.all().delete()
    PeerWorkerFactory(staff_member__unit=cast.unit)  # a peer worker is not a mentorship
    assert _rows(client_for("leader", "en")) == [
        '<tr><td colspan="8" class="text-body-secondary">No active mentorships.</td></tr>'
    ]
