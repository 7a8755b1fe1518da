"""Factories for the education: cohorts (through the service, so each gets its seven
module rows), seats, erfa groups, meetings, and the mentoring check-ins the calendar
shows."""

import datetime

import factory
from django.utils import timezone

from education import services
from education.models import (
    Audience,
    Cohort,
    CohortModule,
    Enrolment,
    ErfaGroup,
    Meeting,
    local_datetime,
)
from mentoring.models import CheckIn
from mentoring.services import checkins_load
from tests.factories import MentorshipFactory, PeerWorkerFactory


class CohortFactory(factory.django.DjangoModelFactory):
    """An open cohort with a row for each module of the course (dates not set)."""

    class Meta:
        model = Cohort

    name = factory.Sequence(lambda n: f"Hold {n}")
    start_date = datetime.date(2027, 3, 1)
    capacity = 20
    fee_dkk = 14_000
    status = Cohort.Status.OPEN
    default_place = "Psykiatrien, Aalborg"

    @classmethod
    def _create(cls, model_class, **kwargs):
        services.standard_data_ensure()
        return services.cohort_create(by=None, **kwargs)


def schedule(
    cohort: Cohort,
    first_days: list[datetime.date],
    start_time: datetime.time = datetime.time(9, 0),
) -> list[CohortModule]:
    """Set the first teaching day of each module in order (through the service)."""
    sessions = list(cohort.sessions.select_related("module"))
    rows = [(s, day, start_time, s.place) for s, day in zip(sessions, first_days, strict=True)]
    services.cohort_update(cohort=cohort, by=None, expected_version=cohort.version, schedule=rows)
    return list(cohort.sessions.select_related("module"))


def weekly_mondays(first: datetime.date, count: int = 7) -> list[datetime.date]:
    """One module a week, each taught Monday and Tuesday."""
    assert first.weekday() == 0, "start on a Monday"
    return [first + datetime.timedelta(weeks=i) for i in range(count)]


class EnrolmentFactory(factory.django.DjangoModelFactory):
    """A seat for a peer worker of the region, paid by the peer's unit."""

    class Meta:
        model = Enrolment

    cohort = factory.SubFactory(CohortFactory)
    peer = factory.SubFactory(PeerWorkerFactory)
    paying_unit = factory.LazyAttribute(lambda e: e.peer.staff_member.unit if e.peer else None)
    status = Enrolment.Status.ENROLLED
    seat_since = factory.LazyFunction(timezone.now)


class ExternalEnrolmentFactory(EnrolmentFactory):
    peer = None
    external_name = factory.Sequence(lambda n: f"Ekstern Deltager {n}")
    external_organisation = "Aalborg Kommune"
    external_contact = "deltager@example.org"


class ErfaGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ErfaGroup

    name = factory.Sequence(lambda n: f"Erfagruppe {n}")
    audience = Audience.MEMBERS
    duration_minutes = 90
    online_link = "https://teams.example.org/erfa"


def peers_group() -> ErfaGroup:
    """The seeded erfa group for all peer workers."""
    services.standard_data_ensure()
    return ErfaGroup.objects.get(audience=Audience.PEERS)


def mentors_group() -> ErfaGroup:
    services.standard_data_ensure()
    return ErfaGroup.objects.get(audience=Audience.MENTORS)


class MeetingFactory(factory.django.DjangoModelFactory):
    """An internal erfa meeting of 90 minutes, 13:00 Copenhagen time."""

    class Meta:
        model = Meeting

    group = factory.SubFactory(ErfaGroupFactory)
    kind = Meeting.Kind.INTERNAL
    starts_at = factory.LazyFunction(
        lambda: local_datetime(datetime.date(2027, 1, 12), datetime.time(13, 0))
    )
    ends_at = factory.LazyAttribute(lambda m: m.starts_at + datetime.timedelta(minutes=90))


class SupervisionFactory(MeetingFactory):
    class Meta:
        skip_postgeneration_save = True

    group = None
    kind = Meeting.Kind.SUPERVISION
    supervisor = "Susanne Supervisor"

    @factory.post_generation
    def participants(self, create, extracted, **kwargs):
        if create and extracted:
            self.participants.set(extracted)


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckIn

    mentorship = factory.SubFactory(MentorshipFactory)
    date = datetime.date(2027, 1, 5)
    time = datetime.time(10, 0)
    duration_minutes = 30

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Written by the mentoring services, which keep the mentorship's last held date.
        return checkins_load(checkins=[model_class(*args, **kwargs)])[0]
