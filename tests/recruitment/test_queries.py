"""Pinned query counts of the recruitment pages and PDFs, at two data sizes.

Small: 2 peer workers hired from vacancies in the leader's unit, large: 12. Each hired
through the recruitment (a full committee, three applicants), with a mentor, a seat on a
cohort, some mandatory courses and some ticked tasks; and as many open vacancies with
applicants and a checklist of their own. The counts were measured and are the same at
both sizes; a page whose count grows with the data is an N+1 and fails.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from education import services as education_services
from education.models import MandatoryCourse
from mentoring.services import mentor_assign
from recruitment import selectors, services
from recruitment.models import Anchor, Applicant, CommitteeMember, Onboarding, Vacancy
from tests.education.factories import CohortFactory

pytestmark = pytest.mark.django_db

SIZES = [pytest.param(2, id="small"), pytest.param(12, id="large")]
TODAY = timezone.localdate
Seat = CommitteeMember.Seat


def _vacancy(cast, title: str) -> Vacancy:
    """A published vacancy of the leader's unit with the four recommended seats filled (the
    leader's on creation) and three applicants, one of them at the interview."""
    vacancy = services.vacancy_create(
        by=cast.leader.user,
        unit=cast.unit,
        title=title,
        hours_per_week=25,
        employment_form="permanent",
        planned_start_date=TODAY() + datetime.timedelta(days=45),
        application_deadline=TODAY() + datetime.timedelta(days=10),
        contact_person=cast.leader,
    )
    services.vacancy_set_status(vacancy=vacancy, by=cast.leader.user, status="published")
    seats = [
        (cast.mentor, Seat.STAFF_REP),
        (cast.centre, Seat.CENTRE),
        (cast.other_peer.staff_member, Seat.PEER),
    ]
    for staff, seat in seats:
        services.committee_add(vacancy=vacancy, by=cast.leader.user, staff_member=staff, seat=seat)
    for i in range(3):
        applicant = services.applicant_add(
            vacancy=vacancy,
            by=cast.leader.user,
            name=f"{title} {i}",
            email=f"{title.lower().replace(' ', '-')}-{i}@x.dk",
        )
    services.applicant_move(applicant=applicant, by=cast.leader.user, to_stage="interview")
    return vacancy


def _grow(cast, size: int) -> list[Onboarding]:
    """`size` peer workers hired from vacancies and `size` open vacancies; the hired ones'
    onboardings, newest first."""
    education_services.standard_data_ensure()
    courses = list(MandatoryCourse.objects.filter(active=True))
    cohort = CohortFactory(capacity=2 * size)
    by = cast.leader.user
    for n in range(size):
        vacancy = _vacancy(cast, f"Stilling {n}")
        applicant = vacancy.applicants.order_by("pk").first()
        peer = services.applicant_hire(
            applicant=applicant,
            by=by,
            start_date=TODAY() - datetime.timedelta(days=20 * n),
            hours_per_week=25,
            employment_form="permanent",
        )
        mentor_assign(peer=peer, mentor=cast.mentor, start_date=peer.start_date, by=by)
        education_services.enrol(cohort=cohort, by=by, peer=peer)
        education_services.course_records_save(
            peer=peer, by=by, rows=[(c, peer.start_date, peer.start_date) for c in courses[: n % 4]]
        )
        for item in peer.onboarding.items.filter(derived_from="").order_by("order")[: n % 5]:
            services.checklist_item_set_done(
                item=item, by=by, done=True, expected_version=item.version
            )
        _vacancy(cast, f"Ny stilling {n}")
    return list(Onboarding.objects.filter(peer__isnull=False).order_by("-pk"))


def _queries(client, url: str) -> int:
    client.get(url)  # the session and the caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


# Measured at both sizes (equal). Every page starts with 3 (the session, the user, the
# actor; the session is saved by the request before, at most once a minute). The
# checklist pages read the derived facts in one query (the education and the mentor) and,
# for lists, a second (the committee
# seats; one onboarding's are read with it) and the tasks in two (those done by hand are
# counted, the others read); the overview counts its rows first, the
# vacancies are counted beside them and a page of them has its applicants counted in one
# more query (the peer worker's list is empty: no applicants to count);
# the onboarding PDF adds the check-ins and the education summary (the seat, its sessions
# and attendance, the course records, the mandatory courses); the summary PDF reads the
# employments once for its retention page, and the unit's the unit.
PAGE_QUERIES = {
    ("leader", "recruitment:checklist_overview"): 10,
    ("centre", "recruitment:checklist_overview"): 10,
    ("leader", "recruitment:checklist"): 6,
    ("leader", "recruitment:vacancy_list"): 5,
    ("centre", "recruitment:vacancy_list"): 5,
    ("peer", "recruitment:vacancy_list"): 4,
    ("leader", "recruitment:applicant_board"): 5,
    ("leader", "recruitment:onboarding_pdf"): 12,
    ("centre", "recruitment:onboarding_summary_pdf"): 9,
    ("leader", "recruitment:onboarding_summary_pdf"): 10,
}


@pytest.mark.parametrize("size", SIZES)
def test_the_recruitment_pages_and_pdfs_use_a_fixed_number_of_queries(client_for, cast, size):
    onboarding = _grow(cast, size)[0]
    vacancy = Vacancy.objects.filter(status="published").order_by("pk").first()
    kwargs = {
        "recruitment:checklist": {"pk": onboarding.pk},
        "recruitment:onboarding_pdf": {"pk": onboarding.pk},
        "recruitment:applicant_board": {"pk": vacancy.pk},
    }
    query = {("leader", "recruitment:onboarding_summary_pdf"): f"?unit={cast.unit.pk}"}
    measured = {}
    for (role, name), _expected in PAGE_QUERIES.items():
        url = reverse(name, kwargs=kwargs.get(name)) + query.get((role, name), "")
        measured[role, name] = _queries(client_for(role), url)
    assert measured == PAGE_QUERIES


@pytest.mark.parametrize("size", SIZES)
def test_the_lists_summary_agrees_with_the_checklist_of_each_onboarding(cast, size):
    _grow(cast, size)
    services.vacancy_create(  # only the leader's seat on its committee
        by=cast.leader.user,
        unit=cast.unit,
        title="Uden udvalg",
        hours_per_week=25,
        employment_form="permanent",
        planned_start_date=TODAY() + datetime.timedelta(days=45),
        application_deadline=TODAY() + datetime.timedelta(days=10),
        contact_person=cast.leader,
    )
    # The lists read the committee seats in a query, one checklist with its onboarding.
    summaries = selectors.onboarding_progress(selectors.for_lists(Onboarding.objects.all()))
    one_by_one = selectors.with_committee_seats(selectors.with_relations(Onboarding.objects.all()))
    details = {o.pk: selectors.onboarding_detail(o) for o in one_by_one}
    assert len(summaries) == len(details) == 2 * size + 1
    committee = []
    for summary in summaries:
        detail = details[summary.onboarding.pk]
        # The list's row says what the model says.
        listed, model = summary.onboarding, detail.onboarding
        assert isinstance(listed, selectors.ListedOnboarding)
        assert [
            listed.label,
            listed.unit_name,
            listed.start_date,
            listed.probation_months,
            listed.published_on,
            listed.created_at,
            [listed.anchor_date(a) for a in Anchor.values if a != Anchor.EDUCATION_COMPLETED],
        ] == [
            model.label,
            model.unit.name,
            model.start_date,
            model.probation_months,
            model.published_on,
            model.created_at,
            [model.anchor_date(a) for a in Anchor.values if a != Anchor.EDUCATION_COMPLETED],
        ]
        assert (summary.done, summary.total, summary.overdue, summary.percent) == (
            detail.done,
            detail.total,
            detail.overdue,
            detail.percent,
        )
        # The list reads the tasks done by hand as a count, every other task as the
        # checklist does.
        by_hand = [
            s
            for s in detail.statuses
            if s.state == "done" and not s.derived and s.item.anchor != "education_completed"
        ]
        assert summary.ticked == len(by_hand)
        assert [(s.item.pk, s.due, s.done_on, s.state) for s in summary.statuses] == [
            (s.item.pk, s.due, s.done_on, s.state) for s in detail.statuses if s not in by_hand
        ]
        if detail.next_open:
            assert (summary.next_open.item.title, summary.next_open.due) == (
                detail.next_open.item.title,
                detail.next_open.due,
            )
        else:
            assert summary.next_open is None
        committee += [
            (summary.onboarding.label, s.done_on is not None)
            for s in summary.statuses
            if s.item.derived_from == "committee_complete"
        ]
    # Hired ones through the recruitment and the open vacancies: four seats filled.
    assert sorted(committee) == sorted(
        [("Uden udvalg", False)]
        + [(f"Ny stilling {n}", True) for n in range(size)]
        + [(f"Stilling {n} 0", True) for n in range(size)]
    )
    assert Applicant.objects.filter(stage="hired").count() == size


def test_a_page_of_vacancies_is_counted_with_its_rows(client_for, cast):
    for n in range(53):
        services.vacancy_create(
            by=cast.leader.user,
            unit=cast.unit,
            title=f"Stilling {n:02d}",
            hours_per_week=25,
            employment_form="permanent",
            planned_start_date=TODAY() + datetime.timedelta(days=45),
            application_deadline=TODAY() + datetime.timedelta(days=10),
            contact_person=cast.leader,
        )
    client = client_for("leader")
    url = reverse("recruitment:vacancy_list")
    first = client.get(url).context["page"]
    assert (first.number, first.paginator.count, first.paginator.num_pages) == (1, 53, 2)
    assert [v["title"] for v in first][:2] == ["Stilling 52", "Stilling 51"]
    second = client.get(url + "?page=2").context["page"]
    assert [v["title"] for v in second] == ["Stilling 02", "Stilling 01", "Stilling 00"]
    assert (second.has_previous(), second.has_next()) == (True, False)
    beyond = client.get(url + "?page=9").context["page"]
    assert (beyond.number, len(beyond)) == (2, 3)
    for nonsense, number in [("x", 1), ("", 1), ("0", 2), ("-3", 2), ("9" * 30, 2)]:
        assert client.get(url + f"?page={nonsense}").context["page"].number == number
    nothing = client.get(url + "?status=filled").context["page"]
    assert (len(nothing), nothing.paginator.count, nothing.paginator.num_pages) == (0, 0, 1)
