import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from education.models import Audience, MentorModule
from peerprogram import access
from programme.services import programme_health_store
from recruitment import services as recruitment_services
from recruitment.models import CommitteeMember
from tests.education.factories import (
    CheckInFactory,
    CohortFactory,
    EnrolmentFactory,
    ErfaGroupFactory,
    MeetingFactory,
    SupervisionFactory,
    mentors_group,
    peers_group,
    schedule,
    weekly_mondays,
)
from tests.factories import MentorshipFactory, PeerWorkerFactory, StaffMemberFactory, UnitFactory

pytestmark = pytest.mark.django_db


def test_leader_home_shows_own_unit_staff_and_peers_with_employment_facts(client_for, cast):
    response = client_for("leader", "en").get(reverse("peerprogram:home"))
    content = response.content.decode()
    assert "Your unit: F-ACT Øst" in content
    assert "Pia Peer" in content and "Mads Mentor" in content
    assert "252,875 kr." in content  # 25 hours x 10,115 kr.
    assert "Per Anden" not in content and "F-ACT Vest" not in content


def test_centre_home_counts_the_programme_and_leads_to_its_health(client_for, cast):
    response = client_for("centre", "en").get(reverse("peerprogram:home"))
    figures = response.context["figures"]
    assert (
        figures.peers,
        figures.peers_starting,
        figures.peers_under_recommended,
        figures.peers_without_mentor,
    ) == (2, 0, 0, 1)
    assert reverse("programme:health") in response.content.decode()


def test_peer_home_shows_own_employment_and_mentor(client_for, cast):
    response = client_for("peer", "en").get(reverse("peerprogram:home"))
    content = response.content.decode()
    assert "Your employment as peer worker" in content
    assert "Mads Mentor" in content
    assert "Your unit:" not in content


def test_mentor_home_lists_mentees(client_for, cast):
    response = client_for("mentor", "en").get(reverse("peerprogram:home"))
    assert [h.mentorship.peer.name for h in response.context["mentees"]] == ["Pia Peer"]


def test_a_login_without_staff_record_is_told_what_to_do(client_for, cast, django_user_model):
    client = client_for("anonymous", "en")
    client.force_login(django_user_model.objects.create_user("newcomer", password="x"))
    response = client.get(reverse("peerprogram:home"))
    assert "Your login is not yet linked to a role in the programme." in response.content.decode()


def _grow(cast, size: int) -> None:
    """`size` of everything the home pages list: other units with mentored peers, more
    units led by the leader, peers in the leader's unit with a checklist in progress and a
    seat on a cohort, vacancies with the mentor on the committee, and coming meetings and
    check-ins for the peer and the mentor."""
    now = timezone.now()
    monday = now.date() + datetime.timedelta(days=7 - now.weekday())
    cohort = CohortFactory(capacity=size + 5, start_date=monday)
    sessions = schedule(cohort, weekly_mondays(monday))
    MentorModule.objects.create(session=sessions[0], mentor=cast.mentor)
    EnrolmentFactory(cohort=cohort, peer=cast.peer)
    members = ErfaGroupFactory(audience=Audience.MEMBERS)
    members.members.set([cast.mentor, cast.peer.staff_member])
    MeetingFactory(group=members, starts_at=now + datetime.timedelta(days=2))
    SupervisionFactory(starts_at=now + datetime.timedelta(days=3), participants=[cast.peer])
    mentorship = cast.peer.mentorships.get()
    for i in range(size):
        unit = UnitFactory()
        mentor = StaffMemberFactory(unit=unit)
        for _ in range(3):
            MentorshipFactory(peer=PeerWorkerFactory(staff_member__unit=unit), mentor=mentor)
        led = UnitFactory(leader=cast.leader)
        StaffMemberFactory(unit=led)
        PeerWorkerFactory(staff_member__unit=led)
        peer = PeerWorkerFactory(staff_member__unit=cast.unit)
        MentorshipFactory(peer=peer, mentor=cast.mentor)
        recruitment_services.onboarding_start_for_peer(peer=peer, by=None)
        EnrolmentFactory(cohort=cohort, peer=peer)
        vacancy = recruitment_services.vacancy_create(
            by=None,
            unit=cast.unit,
            title=f"Peermedarbejder {i}",
            hours_per_week=25,
            employment_form="permanent",
            planned_start_date=now.date() + datetime.timedelta(days=60),
            application_deadline=now.date() + datetime.timedelta(days=14),
            contact_person=cast.leader,
        )
        recruitment_services.committee_add(
            vacancy=vacancy,
            by=None,
            staff_member=cast.mentor,
            seat=CommitteeMember.Seat.STAFF_REP,
        )
        MeetingFactory(group=peers_group(), starts_at=now + datetime.timedelta(days=i + 1))
        MeetingFactory(group=mentors_group(), starts_at=now + datetime.timedelta(days=i + 1))
        CheckInFactory(mentorship=mentorship, date=now.date() + datetime.timedelta(days=i + 1))


# Measured at both sizes, with everything a section can read present: five for any page
# (session, user, and the session's save in three: the first request after signing in
# saves it), one for the actor, then the page's own.
# The action list reads no query of its own beyond the facts: a leader's peer workers'
# facts in one query (programme.signals.facts_of), a peer worker's own facts in one (with
# the journal's counts). The Centre's whole programme: today's daily run (1), and without
# one every peer worker's facts (1) and the units with overdue onboarding (5: the
# checklists' progress), or with it the signals not acknowledged (1); the overview's
# counts (1). A peer worker's and a mentor's home count the checklist tasks delegated to
# them (1); a peer worker's reads their patients' outcome measurements due (1).
HOME_QUERIES = {"leader": 15, "centre": 17, "admin": 17, "peer": 16, "mentor": 14}
WITH_RUN = {"centre": 12, "admin": 12}


@pytest.mark.parametrize("size", [2, 20])
@pytest.mark.parametrize("stored", [False, True], ids=["worked-out", "daily-run"])
def test_home_pages_use_a_fixed_number_of_queries(
    client_for, cast, size, stored, django_assert_max_num_queries
):
    _grow(cast, size)
    if stored:
        programme_health_store(timezone.localdate())
    for role, limit in HOME_QUERIES.items():
        limit = WITH_RUN.get(role, limit) if stored else limit
        client = client_for(role)
        with django_assert_max_num_queries(limit):
            response = client.get(reverse("peerprogram:home"))
        assert response.status_code == 200
        if role == "leader":
            assert len(response.context["led_units"]) == size + 1
            assert len(response.context["leader_recruitment"]["checklists"]) == min(2 * size, 20)
        if role == "peer":
            assert len(response.context["schedule"]) == 5
        if role == "mentor":
            assert len(response.context["mentees"]) == size + 1


@pytest.mark.parametrize("size", [2, 20])
def test_list_pages_use_a_fixed_number_of_queries(
    client_for, cast, size, django_assert_max_num_queries
):
    _grow(cast, size)
    for role in ("centre", "leader"):
        client = client_for(role)
        for name, limit in [
            ("peerprogram:unit_list", 8),
            ("peerprogram:staff_list", 9),
            ("peerprogram:peer_list", 9),
        ]:
            with django_assert_max_num_queries(limit):
                assert client.get(reverse(name)).status_code == 200


def test_the_actor_is_read_in_one_query_and_once_per_request(cast, django_assert_num_queries):
    user = cast.leader.user
    cast.mentor.led_units.add(UnitFactory(name="F-ACT Nord"))
    MentorshipFactory(peer=cast.other_peer, mentor=cast.leader)
    with django_assert_num_queries(1):
        actor = access.get_actor(user)
        assert access.get_actor(user) is actor
    assert actor.led_unit_ids == {cast.unit.pk}
    assert actor.mentee_ids == {cast.other_peer.pk}
    assert actor.staff == cast.leader and actor.peer is None and not actor.is_centre


def test_an_ended_mentorship_and_an_inactive_unit_give_no_role(cast):
    cast.unit.active = False
    cast.unit.save()
    mentorship = cast.peer.mentorships.get()
    mentorship.end_date = timezone.localdate()
    mentorship.save()
    assert access.get_actor(cast.leader.user).led_unit_ids == frozenset()
    assert access.get_actor(cast.mentor.user).mentee_ids == frozenset()
    assert access.get_actor(cast.peer.staff_member.user).peer == cast.peer


def test_the_leader_sees_each_led_unit_with_its_own_people(client_for, cast):
    second = UnitFactory(name="F-ACT Nord", leader=cast.leader)
    newcomer = PeerWorkerFactory(
        staff_member__name="Nina Ny",
        staff_member__unit=second,
        start_date=datetime.date(2025, 5, 1),
    )
    veteran = PeerWorkerFactory(
        staff_member__name="Vera Veteran",
        staff_member__unit=second,
        start_date=datetime.date(2023, 5, 1),
    )
    MentorshipFactory(peer=veteran, mentor=StaffMemberFactory(name="Mona Mentor", unit=second))
    StaffMemberFactory(name="Anders Aktiv", unit=second)
    StaffMemberFactory(name="Bo Borte", unit=second, active=False)
    blocks = client_for("leader").get(reverse("peerprogram:home")).context["led_units"]
    assert [b.unit.name for b in blocks] == ["F-ACT Nord", "F-ACT Øst"]
    nord = blocks[0]
    assert [p.name for p in nord.peers] == ["Vera Veteran", "Nina Ny"]
    assert [p.current_mentor for p in nord.peers] == ["Mona Mentor", None]
    assert [m.name for m in nord.staff] == ["Anders Aktiv", "Mona Mentor", "Bo Borte"]
    assert newcomer.get_absolute_url() in {p.url for p in nord.peers}
    oest = blocks[1]
    assert [p.name for p in oest.peers] == ["Pia Peer"]
    assert oest.peers[0].current_mentor == "Mads Mentor"
    assert [m.name for m in oest.staff] == ["Lene Leder", "Mads Mentor"]


def test_the_programme_health_shows_the_units_fifty_at_a_time(client_for, cast):
    for n in range(52):
        UnitFactory(name=f"Enhed {n:02d}")
    client = client_for("centre", "en")
    first = client.get(reverse("programme:health"))
    assert len(first.context["rows"]) == 50
    assert first.context["page"].paginator.count == 55
    assert "Page 1 of 2" in first.content.decode()
    second = client.get(reverse("programme:health"), {"page": 2})
    assert [r.unit.name for r in second.context["rows"]] == [
        "Enhed 49",
        "Enhed 50",
        "Enhed 51",
        "F-ACT Vest",
        "F-ACT Øst",
    ]


def test_peers_who_have_not_started_are_counted_as_starting_not_employed(client_for, cast):
    import datetime

    from django.utils import timezone

    cast.other_peer.start_date = timezone.localdate() + datetime.timedelta(days=10)
    cast.other_peer.save()
    figures = client_for("centre").get(reverse("peerprogram:home")).context["figures"]
    assert (figures.peers, figures.peers_starting) == (1, 1)


def test_ids_over_a_thousand_are_printed_without_separators_and_money_with(client_for, cast):
    UnitFactory(id=1740, name="Enhed 1740", leader=cast.leader)
    content = client_for("leader").get(reverse("peerprogram:home")).content.decode()
    assert "?unit=1740" in content
    assert "252.875 kr." in content
