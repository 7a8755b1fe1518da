"""The lists that grow with the programme: the Centre finds a person's calendar by name,
the cohorts come a page at a time, and the checklist's education facts for many peers
cost one query."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from education import selectors
from education.models import Cohort, Enrolment
from tests.factories import PeerWorkerFactory, StaffMemberFactory

from .factories import CohortFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db


def test_the_centre_finds_a_calendar_by_name_instead_of_a_list_of_everyone(client_for, cast):
    for n in range(25):
        StaffMemberFactory(name=f"Sanne Søgbar {n:02d}", unit=cast.other_unit)
    client = client_for("centre", "en")
    page = client.get(reverse("education:calendar"))
    assert page.context["people"] is None and page.context["found"] is None
    content = page.content.decode()
    assert 'name="who"' in content and 'name="person"' not in content

    found = client.get(reverse("education:calendar"), {"who": "søgbar", "month": 3, "year": 2027})
    assert [p.name for p in found.context["found"]] == [f"Sanne Søgbar {n:02d}" for n in range(20)]
    assert found.context["more_found"] is True
    content = found.content.decode()
    assert "Only the first 20 are shown: type more of the name." in content
    chosen = found.context["found"][0]
    assert f'href="?year=2027&amp;month=3&amp;person={chosen.pk}"' in content

    one = client.get(reverse("education:calendar"), {"who": "Pia"})
    assert [p.name for p in one.context["found"]] == ["Pia Peer"]
    assert one.context["more_found"] is False
    nobody = client.get(reverse("education:calendar"), {"who": "Xerxes"})
    assert nobody.context["found"] == []
    assert "No one active in the programme has that name." in nobody.content.decode()


def test_the_centre_opens_a_found_persons_calendar_and_can_go_back(client_for, cast):
    client = client_for("centre", "en")
    response = client.get(
        reverse("education:calendar"),
        {"person": cast.peer.staff_member.pk, "year": 2027, "month": 3},
    )
    assert response.context["person"] == cast.peer.staff_member
    content = response.content.decode()
    assert f'<input type="hidden" name="person" value="{cast.peer.staff_member.pk}">' in content
    assert 'href="?year=2027&amp;month=3">Back to the whole programme</a>' in content


def test_a_leader_still_chooses_among_their_units_people(client_for, cast):
    response = client_for("leader", "en").get(reverse("education:calendar"))
    assert [p.name for p in response.context["people"]] == [
        "Lene Leder",
        "Mads Mentor",
        "Pia Peer",
    ]
    assert response.context["found"] is None
    assert 'name="who"' not in response.content.decode()


def test_a_peer_cannot_search_for_others(client_for, cast):
    response = client_for("peer").get(reverse("education:calendar"), {"who": "Lene"})
    assert response.context["found"] is None
    assert response.context["person"] == cast.peer.staff_member


@pytest.mark.parametrize("size", [3, 30])
def test_the_centres_calendar_search_uses_a_fixed_number_of_queries(
    client_for, cast, size, django_assert_max_num_queries
):
    for n in range(size):
        StaffMemberFactory(name=f"Sanne Søgbar {n:02d}", unit=cast.other_unit)
    client = client_for("centre")
    # Five for any page, one for the actor; teaching days, meetings; the people found.
    with django_assert_max_num_queries(9):
        response = client.get(reverse("education:calendar"), {"who": "Søgbar"})
    assert len(response.context["found"]) == min(size, 20)


def test_the_cohorts_come_newest_first_fifty_a_page(client_for, cast):
    first = datetime.date(2020, 1, 6)
    for n in range(52):
        CohortFactory(name=f"Hold {n:02d}", start_date=first + datetime.timedelta(weeks=n))
    client = client_for("leader")
    page = client.get(reverse("education:cohort_list"))
    assert page.context["page"].paginator.count == 52
    assert [c.name for c in page.context["cohorts"]][:2] == ["Hold 51", "Hold 50"]
    last = client.get(reverse("education:cohort_list"), {"page": 2})
    assert [c.name for c in last.context["cohorts"]] == ["Hold 01", "Hold 00"]


def test_the_cohort_list_counts_seats_and_the_waiting_list(client_for, cast):
    cohort = CohortFactory(name="Hold Tællet", capacity=2)
    EnrolmentFactory(cohort=cohort, peer=cast.peer)
    EnrolmentFactory(cohort=cohort, peer=cast.other_peer, status=Enrolment.Status.WAITING)
    EnrolmentFactory(cohort=cohort, status=Enrolment.Status.CANCELLED)
    CohortFactory(name="Hold Tomt")
    rows = client_for("peer").get(reverse("education:cohort_list")).context["cohorts"]
    assert {c.name: (c.seats_taken, c.waiting) for c in rows} == {
        "Hold Tællet": (1, 1),
        "Hold Tomt": (0, 0),
    }


@pytest.mark.parametrize("size", [3, 30])
def test_the_cohort_list_uses_a_fixed_number_of_queries(
    client_for, cast, size, django_assert_max_num_queries
):
    for n in range(size):
        cohort = CohortFactory(name=f"Hold {n:02d}")
        EnrolmentFactory(cohort=cohort)
    for role in ("peer", "centre"):
        client = client_for(role)
        # Five for any page, one for the actor; the count and the page of cohorts.
        with django_assert_max_num_queries(8):
            response = client.get(reverse("education:cohort_list"))
        assert len(response.context["cohorts"]) == size


@pytest.mark.parametrize("size", [3, 30])
def test_the_checklists_education_facts_cost_one_query_and_the_latest_seat_wins(
    cast, size, django_assert_num_queries
):
    earlier = CohortFactory(name="Hold Før", start_date=datetime.date(2026, 3, 2))
    later = CohortFactory(name="Hold Efter", start_date=datetime.date(2027, 3, 1))
    now = timezone.now()
    EnrolmentFactory(cohort=earlier, peer=cast.peer, seat_since=now - datetime.timedelta(days=9))
    EnrolmentFactory(cohort=later, peer=cast.peer, seat_since=now)
    EnrolmentFactory(cohort=earlier, peer=cast.other_peer, status=Enrolment.Status.WAITING)
    others = [EnrolmentFactory(cohort=later).peer_id for _ in range(size)]
    others += [PeerWorkerFactory().pk for _ in range(size)]
    with django_assert_num_queries(1):
        facts = selectors.checklist_facts([cast.peer.pk, cast.other_peer.pk, *others])
    assert (facts[cast.peer.pk].cohort, facts[cast.peer.pk].seat_since) == (
        "Hold Efter",
        timezone.localdate(now),
    )
    assert facts[cast.other_peer.pk] == selectors.ChecklistFacts()
    assert sum(1 for f in facts.values() if f.cohort == "Hold Efter") == size + 1
    assert Cohort.objects.count() == 2


def test_a_long_waiting_list_is_shown_fifty_at_a_time_in_its_order(client_for, cast):
    cohort = CohortFactory(name="Hold Populært", capacity=1)
    EnrolmentFactory(cohort=cohort, peer=cast.peer)
    start = timezone.now() - datetime.timedelta(days=60)
    for n in range(53):
        EnrolmentFactory(
            cohort=cohort,
            peer__staff_member__name=f"Venter {n:02d}",
            status=Enrolment.Status.WAITING,
            seat_since=None,
            requested_at=start + datetime.timedelta(hours=n),
        )
    client = client_for("centre", "en")
    first = client.get(cohort.get_absolute_url())
    assert [e.participant_name for e in first.context["waiting"]] == [
        f"Venter {n:02d}" for n in range(50)
    ]
    assert len(first.context["rows"]) == 1
    second = client.get(cohort.get_absolute_url(), {"waiting": 2})
    assert [e.participant_name for e in second.context["waiting"]] == [
        "Venter 50",
        "Venter 51",
        "Venter 52",
    ]
    content = second.content.decode()
    assert "51. Venter 50" in content and "53. Venter 52" in content
    assert 'href="?waiting=1#waiting-h"' in content and "Page 2 of 2" in content


def test_the_cohort_list_writes_start_and_fee_as_the_date_and_intcomma_filters_do(client_for, cast):
    import datetime

    from django.contrib.humanize.templatetags.humanize import intcomma
    from django.utils import translation
    from django.utils.formats import date_format

    CohortFactory(name="Hold Pris", start_date=datetime.date(2027, 3, 4), fee_dkk=12500)
    client = client_for("centre")
    written = {}
    for language in ("da", "en"):
        client.cookies["django_language"] = language
        response = client.get(reverse("education:cohort_list"))
        (row,) = [c for c in response.context["cohorts"] if c.name == "Hold Pris"]
        written[language] = (row.start_date, row.fee_dkk)
        with translation.override(language):
            assert row.start_date == date_format(datetime.date(2027, 3, 4), "SHORT_DATE_FORMAT")
            assert row.fee_dkk == intcomma(12500)
        assert f"{row.fee_dkk} kr." in response.content.decode()
    # Each language its own way: the dates are not written once for every language.
    assert written["da"] != written["en"]
