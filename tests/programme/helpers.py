"""Helpers shared by the programme tests: the facts the signals read, written through the
ORM and the services, and the signals read back."""

import datetime

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from education.models import Meeting, MeetingAttendance, local_datetime
from employment.models import TEXT_FIELDS, FunctionDescription
from journal import services as journal_services
from journal.models import PeerMonth, Referral
from journal.selectors import flow_window
from peerprogram.models import PeerWorker
from programme.signals import facts_of, signals_of
from tests.education.factories import ErfaGroupFactory, MeetingFactory

TEXTS = dict.fromkeys(TEXT_FIELDS, "Tekst")


def today() -> datetime.date:
    return timezone.localdate()


def signals(day: datetime.date | None = None, peers=None):
    """Every signal about these peer workers (all of them by default) on `day`."""
    day = day or today()
    peers = PeerWorker.objects.all() if peers is None else peers
    return signals_of(facts_of(peers, day), day)


def of(peer, day: datetime.date | None = None) -> dict:
    """The signals about one peer worker, by kind."""
    return {s.kind: s for s in signals(day) if s.peer.pk == peer.pk}


def kinds(peer, day: datetime.date | None = None) -> set[str]:
    return set(of(peer, day))


def window_months(day: datetime.date) -> list[datetime.date]:
    first, _end = flow_window(day)
    return [first + relativedelta(months=i) for i in range(3)]


def window_days(day: datetime.date) -> int:
    first, end = flow_window(day)
    return (end - first).days


def record(peer, day: datetime.date | None = None, minutes: int = 0, referrals: int = 0):
    """The journal's month rows of the three complete months before `day`, adding up to
    `minutes` of peer activity and `referrals` received."""
    day = day or today()
    for i, month in enumerate(window_months(day)):
        PeerMonth.objects.create(
            peer=peer,
            month=month,
            minutes=minutes // 3 + (minutes % 3 if i == 0 else 0),
            referrals=referrals // 3 + (referrals % 3 if i == 0 else 0),
        )


def agreed_description(peer, number: int = 1, agreed: bool = True, **hours):
    """A revision of the function description, agreed by both (or only by the leader)."""
    day = today() - datetime.timedelta(days=200)
    return FunctionDescription.objects.create(
        peer=peer,
        number=number,
        review_on=today() + datetime.timedelta(days=100),
        leader_agreed_on=day,
        peer_agreed_on=day if agreed else None,
        contact_routes=["patient"],
        **TEXTS,
        **hours,
    )


def erfa_attended(peer, day: datetime.date, kind=Meeting.Kind.INTERNAL):
    """The peer worker attended an erfa meeting at 13:00 on `day`."""
    meeting = MeetingFactory(
        group=ErfaGroupFactory(), kind=kind, starts_at=local_datetime(day, datetime.time(13, 0))
    )
    MeetingAttendance.objects.create(meeting=meeting, person=peer.staff_member)
    return meeting


def referral(cast, at: datetime.datetime, status: str = Referral.Status.PENDING, n: int = 1):
    """A referral to the cast's peer worker by the mentor (through the service), made at
    `at`."""
    made = journal_services.referral_create(
        by=cast.mentor.user,
        referred_by=cast.mentor,
        peer=cast.peer,
        patient_name=f"Patient {n}",
        patient_reference=f"R-{n}",
        reason="Ønsker en samtale.",
        contact_route="patient",
    )
    Referral.objects.filter(pk=made.pk).update(created_at=at, status=status)
    made.refresh_from_db()
    return made


def local(day: datetime.date, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return local_datetime(day, datetime.time(hour, minute))
