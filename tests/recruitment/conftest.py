import datetime

import pytest
from django.utils import timezone

from recruitment import services
from recruitment.models import CommitteeMember, Vacancy


@pytest.fixture
def vacancy(cast) -> Vacancy:
    """A published vacancy in the leader's unit, with a full committee."""
    today = timezone.localdate()
    vacancy = services.vacancy_create(
        by=cast.leader.user,
        unit=cast.unit,
        title="Peermedarbejder",
        hours_per_week=25,
        employment_form="permanent",
        planned_start_date=today + datetime.timedelta(days=60),
        application_deadline=today + datetime.timedelta(days=14),
        contact_person=cast.leader,
    )
    services.vacancy_set_status(vacancy=vacancy, by=cast.leader.user, status="published")
    services.committee_add(
        vacancy=vacancy,
        by=cast.leader.user,
        staff_member=cast.mentor,
        seat=CommitteeMember.Seat.STAFF_REP,
    )
    services.committee_add(
        vacancy=vacancy,
        by=cast.leader.user,
        staff_member=cast.centre,
        seat=CommitteeMember.Seat.CENTRE,
    )
    vacancy.refresh_from_db()
    return vacancy


@pytest.fixture
def applicant(cast, vacancy):
    return services.applicant_add(
        vacancy=vacancy, by=cast.leader.user, name="Ane Ansøger", email="ane@example.org"
    )
