"""The standard cast: a leader, a peer, a mentor, Centre staff, an admin and an outsider.

Unit A holds the leader, the peer and the peer's mentor. The outsider leads unit B.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone, translation

from peerprogram.models import PeerWorker, StaffMember, Unit
from recruitment import services as recruitment_services
from recruitment.models import CommitteeMember

from .factories import (
    MentorshipFactory,
    PeerWorkerFactory,
    StaffMemberFactory,
    UnitFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _danish(settings):
    """Each test starts in Danish (a request in English leaves English active)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@dataclass
class Cast:
    unit: Unit
    other_unit: Unit
    centre_unit: Unit
    leader: StaffMember
    peer: PeerWorker
    mentor: StaffMember
    centre: StaffMember
    outsider: StaffMember
    other_peer: PeerWorker
    admin_user: object

    def user(self, role: str):
        return {
            "anonymous": AnonymousUser(),
            "leader": self.leader.user,
            "peer": self.peer.staff_member.user,
            "mentor": self.mentor.user,
            "centre": self.centre.user,
            "admin": self.admin_user,
            "outsider": self.outsider.user,
        }[role]


ROLES = ["anonymous", "leader", "peer", "mentor", "centre", "admin", "outsider"]


@pytest.fixture
def cast(db) -> Cast:
    unit = UnitFactory(name="F-ACT Øst")
    other_unit = UnitFactory(name="F-ACT Vest")
    centre_unit = UnitFactory(name="Center for Recovery og Samskabelse", kind=Unit.Kind.OTHER)
    leader = StaffMemberFactory(name="Lene Leder", unit=unit, user=UserFactory(username="leader"))
    unit.leader = leader
    unit.save()
    peer = PeerWorkerFactory(
        staff_member__name="Pia Peer",
        staff_member__unit=unit,
        staff_member__user=UserFactory(username="peer"),
    )
    mentor = StaffMemberFactory(name="Mads Mentor", unit=unit, user=UserFactory(username="mentor"))
    MentorshipFactory(peer=peer, mentor=mentor)
    centre = StaffMemberFactory(
        name="Cecilie Center",
        unit=centre_unit,
        is_centre_staff=True,
        profession=StaffMember.Profession.OTHER,
        user=UserFactory(username="centre"),
    )
    outsider = StaffMemberFactory(
        name="Ole Udenfor", unit=other_unit, user=UserFactory(username="outsider")
    )
    other_unit.leader = outsider
    other_unit.save()
    other_peer = PeerWorkerFactory(staff_member__name="Per Anden", staff_member__unit=other_unit)
    admin_user = UserFactory(username="admin", is_superuser=True, is_staff=True)
    return Cast(
        unit=unit,
        other_unit=other_unit,
        centre_unit=centre_unit,
        leader=leader,
        peer=peer,
        mentor=mentor,
        centre=centre,
        outsider=outsider,
        other_peer=other_peer,
        admin_user=admin_user,
    )


@pytest.fixture
def client_for(client, cast):
    """A test client logged in as one of the cast (or anonymous)."""

    def make(role: str, lang: str = "da"):
        client.logout()
        client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = lang
        if role != "anonymous":
            client.force_login(cast.user(role))
        return client

    return make


@pytest.fixture
def vacancy(cast):
    """A published vacancy in the leader's unit, with a full committee."""
    today = timezone.localdate()
    vacancy = recruitment_services.vacancy_create(
        by=cast.leader.user,
        unit=cast.unit,
        title="Peermedarbejder",
        hours_per_week=25,
        employment_form="permanent",
        planned_start_date=today + datetime.timedelta(days=60),
        application_deadline=today + datetime.timedelta(days=14),
        contact_person=cast.leader,
    )
    recruitment_services.vacancy_set_status(
        vacancy=vacancy, by=cast.leader.user, status="published"
    )
    recruitment_services.committee_add(
        vacancy=vacancy,
        by=cast.leader.user,
        staff_member=cast.mentor,
        seat=CommitteeMember.Seat.STAFF_REP,
    )
    recruitment_services.committee_add(
        vacancy=vacancy,
        by=cast.leader.user,
        staff_member=cast.centre,
        seat=CommitteeMember.Seat.CENTRE,
    )
    vacancy.refresh_from_db()
    return vacancy
