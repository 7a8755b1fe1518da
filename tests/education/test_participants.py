"""A cohort's participants table: a seat a row, names as text, the peer worker's page
linked, and the actions each role may take on each seat."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from education.models import Cohort
from tests.education.factories import CohortFactory, EnrolmentFactory, ExternalEnrolmentFactory

pytestmark = pytest.mark.django_db
SCRIPT = '<script>alert("x")</script> & co\'s'


def _rows(client, cohort) -> list[str]:
    html = client.get(reverse("education:cohort_detail", args=[cohort.pk])).content.decode()
    start = html.index('data-testid="participants"')
    body = html[html.index("<tbody>", start) : html.index("</tbody>", start)]
    return [re.sub(r"\s+", " ", row) for row in re.findall(r"<tr[ >].*?</tr>", body, re.S)]


def _actions(row: str) -> list[str]:
    """The row's actions by the URL they lead or post to."""
    return re.findall(r'(?:href|action)="(/education/enrolments/[^"]+)"', row)


@pytest.fixture
def seats(cast):
    cohort = CohortFactory(start_date=datetime.date(2024, 3, 1))  # Pia hired 1 Jan 2024: late
    own = EnrolmentFactory(cohort=cohort, peer=cast.peer)
    other = EnrolmentFactory(cohort=cohort, peer=cast.other_peer)
    external = ExternalEnrolmentFactory(
        cohort=cohort, external_name=f"Eva {SCRIPT}", external_organisation=f"Kommune {SCRIPT}"
    )
    return cohort, own, other, external


def test_participants_are_shown_as_text_and_peer_workers_linked(client_for, cast, seats):
    cohort, own, _other, _external = seats
    rows = _rows(client_for("centre", "en"), cohort)
    assert len(rows) == 3
    pia = next(row for row in rows if "Pia" in row)
    url = reverse("peerprogram:peer_detail", args=[cast.peer.pk])
    assert f'<td><a href="{url}">Pia Peer</a>' in pia
    assert "⚠ Hired less than 3 months before the start</div>" in pia
    assert "<td>F-ACT Øst</td>" in pia  # the paying unit
    eva = next(row for row in rows if "Eva" in row)
    assert (
        f'<td>Eva {escape(SCRIPT)} <span class="badge text-bg-light border">external</span>' in eva
    )
    assert f"<td>Kommune {escape(SCRIPT)}</td>" in eva
    assert "<script>" not in "".join(rows)
    progress = '<progress class="pp-progress" max="7" value="0" aria-label="Modules attended">'
    assert f"{progress}</progress> 0 / 7</td>" in pia
    assert "<td>–</td>" in pia  # not completed


def test_whoever_runs_the_education_may_act_on_every_seat(client_for, seats):
    cohort, *enrolments = seats
    rows = _rows(client_for("centre", "en"), cohort)
    for enrolment in enrolments:
        [row] = [row for row in rows if enrolment.participant_name.split()[0] in row]
        expected = [
            reverse("education:enrolment_complete", args=[enrolment.pk]),
            reverse("education:enrolment_cancel", args=[enrolment.pk]),
        ]
        if enrolment.peer:  # an external participant has no mentor
            expected.insert(0, reverse("education:enrolment_mentor", args=[enrolment.pk]))
        assert _actions(row) == expected
        assert row.count('name="csrfmiddlewaretoken"') == 1  # the cancel form's


def test_a_leader_acts_on_their_own_units_seats_only_and_completes_nothing(client_for, seats):
    cohort, own, _other, _external = seats
    rows = _rows(client_for("leader", "en"), cohort)
    assert [_actions(row) for row in rows] == [
        [
            reverse("education:enrolment_mentor", args=[own.pk]),
            reverse("education:enrolment_cancel", args=[own.pk]),
        ]
    ]  # a leader sees their own units' participants only


def test_a_completed_cohorts_seats_cannot_be_cancelled(client_for, seats):
    cohort, own, _other, _external = seats
    Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.COMPLETED)
    own.completed_on = datetime.date(2024, 6, 1)
    own.completion_reason = f"Made up a day {SCRIPT}"
    own.save()
    rows = _rows(client_for("centre", "en"), cohort)
    assert not any("enrolment_cancel" in row or "/cancel/" in row for row in rows)
    pia = next(row for row in rows if "Pia" in row)
    assert '<span class="text-success">✓ 1 Jun 2024</span>' in pia
    assert (
        f'<span class="small text-body-secondary" title="Made up a day {escape(SCRIPT)}">'
        "(marked by hand)</span>"
    ) in pia


def test_a_cohort_without_participants_says_so(client_for, cast):
    cohort = CohortFactory()
    assert _rows(client_for("centre", "en"), cohort) == [
        '<tr><td colspan="5" class="text-body-secondary">Nobody yet.</td></tr>'
    ]
