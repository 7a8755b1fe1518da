"""Load the fictional demo programme. Safe to run again: it finds what exists."""

from __future__ import annotations

import datetime
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from journal import services as journal_services
from mentoring.models import MentorIntroduction
from peerprogram.demo import employment as employment_demo
from peerprogram.demo import evaluation as evaluation_demo
from peerprogram.demo import journal as journal_demo
from peerprogram.models import PeerWorker, StaffMember, Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from education.models import CohortModule, Enrolment

DEMO_PASSWORD = "demo"  # noqa: S105 - the documented password of the fictional demo logins
ORGANISATION = "Psykiatrien, Region Nord (fiktiv)"
DOMAIN = "region-nord.example"

P = StaffMember.Profession

# (unit name, kind, leader, [(staff name, profession)])
UNITS = [
    (
        "F-ACT Aalborg Øst",
        Unit.Kind.FACT,
        "Lone Kjærgaard",
        [
            ("Mikkel Dahl", P.NURSE),
            ("Sara Holm", P.PSYCHOLOGIST),
            ("Jonas Bech", P.SOSU),
            ("Ida Rasmussen", P.DOCTOR),
        ],
    ),
    (
        "F-ACT Hjørring",
        Unit.Kind.FACT,
        "Henrik Vestergaard",
        [("Camilla Krogh", P.NURSE), ("Peter Lauridsen", P.SOCIAL_WORKER), ("Nanna Friis", P.OT)],
    ),
    (
        "F-ACT Frederikshavn",
        Unit.Kind.FACT,
        "Birgitte Østergaard",
        [("Rasmus Søgaard", P.NURSE), ("Line Mortensen", P.SOSU)],
    ),
    (
        "F-ACT Brønderslev",
        Unit.Kind.FACT,
        "Anders Thomsen",
        [("Maja Poulsen", P.PSYCHOLOGIST), ("Kasper Iversen", P.NURSE)],
    ),
    (
        "F-ACT Thisted",
        Unit.Kind.FACT,
        "Susanne Brandt",
        [("Emil Kristiansen", P.SOSU), ("Louise Winther", P.NURSE)],
    ),
    (
        "F-ACT Himmerland",
        Unit.Kind.FACT,
        "Jesper Nørgaard",
        [("Katrine Bak", P.NURSE), ("Simon Juhl", P.SOCIAL_WORKER)],
    ),
    (
        "F-ACT Aalborg Vest",
        Unit.Kind.FACT,
        "Mette Skov",
        [("Frederik Lind", P.NURSE), ("Julie Damgaard", P.PSYCHOLOGIST)],
    ),
    (
        "F-ACT Vendsyssel Syd",
        Unit.Kind.FACT,
        "Torben Hviid",
        [("Anne Kirkegaard", P.SOSU), ("Christian Falk", P.NURSE)],
    ),
    (
        "Sengeafsnit S4, akutpsykiatri",
        Unit.Kind.INPATIENT,
        "Pia Lynge",
        [("Morten Aagaard", P.NURSE), ("Helle Storm", P.SOSU), ("Nikolaj Brix", P.DOCTOR)],
    ),
]
CENTRE = "Center for Recovery og Samskabelse"
CENTRE_STAFF = [("Karen Mølgaard", "center"), ("Thomas Riis", None)]


# (unit index, name, start, hours, form, login, mentor name)
def _peers(today: datetime.date) -> list[tuple]:
    next_month = today + relativedelta(months=1, day=1)
    return [
        (
            0,
            "Maria Sørensen",
            datetime.date(2020, 9, 1),
            30,
            PeerWorker.EmploymentForm.PERMANENT,
            "peer",
            "Mikkel Dahl",
        ),
        (
            1,
            "Oliver Jakobsen",
            datetime.date(2020, 9, 1),
            25,
            PeerWorker.EmploymentForm.PERMANENT,
            "peer2",
            "Camilla Krogh",
        ),
        (
            2,
            "Signe Haugaard",
            datetime.date(2020, 9, 1),
            20,
            PeerWorker.EmploymentForm.FLEX_JOB,
            None,
            "Rasmus Søgaard",
        ),
        (
            3,
            "Lasse Vinther",
            today - relativedelta(months=2),
            24,
            PeerWorker.EmploymentForm.PERMANENT,
            None,
            "Kasper Iversen",
        ),
        (4, "Freja Holst", next_month, 15, PeerWorker.EmploymentForm.FEE_PAID, None, None),
        (
            8,
            "Benjamin Kofoed",
            today - relativedelta(months=8),
            37,
            PeerWorker.EmploymentForm.PERMANENT,
            None,
            "Morten Aagaard",
        ),
    ]


def _email(name: str) -> str:
    local = name.lower().replace(" ", ".")
    for a, b in (("æ", "ae"), ("ø", "oe"), ("å", "aa")):
        local = local.replace(a, b)
    return f"{local}@{DOMAIN}"


class Command(BaseCommand):
    help = "Load the fictional demo programme (idempotent). Refuses when DEBUG is off."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like production. The demo data has known passwords; "
                "use --force only on a test system."
            )
        with transaction.atomic():
            created = self._load()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo programme ready ({created} new records). Password for every demo login: "
                f"{DEMO_PASSWORD}"
            )
        )

    def _load(self) -> int:
        self.created = 0
        today = timezone.localdate()
        User = get_user_model()
        admin, _new = User.objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True}
        )
        self._password(admin)

        centre = self._unit(CENTRE, Unit.Kind.OTHER)
        for name, login in CENTRE_STAFF:
            self._staff(name, centre, P.OTHER, login=login, centre=True)

        units = []
        for index, (name, kind, leader_name, staff) in enumerate(UNITS):
            unit = self._unit(name, kind)
            login = {0: "leder", 1: "leder2"}.get(index)
            leader = self._staff(
                leader_name, unit, P.NURSE if index % 2 else P.PSYCHOLOGIST, login=login
            )
            if unit.leader_id != leader.pk:
                unit.leader = leader
                unit.save(update_fields=["leader"])
            for staff_name, profession in staff:
                self._staff(
                    staff_name,
                    unit,
                    profession,
                    login="mentor" if staff_name == "Mikkel Dahl" else None,
                )
            units.append(unit)

        for unit_index, name, start, hours, form, login, mentor_name in _peers(today):
            member = self._staff(name, units[unit_index], P.PEER, login=login)
            peer, new = PeerWorker.objects.get_or_create(
                staff_member=member,
                defaults={"start_date": start, "hours_per_week": hours, "employment_form": form},
            )
            self.created += new
            if mentor_name and not peer.mentorships.exists():
                self._mentorship(peer, mentor_name, start, today)
        for name in ("Mikkel Dahl", "Camilla Krogh", "Morten Aagaard"):
            MentorIntroduction.objects.get_or_create(
                staff_member=StaffMember.objects.get(email=_email(name)),
                defaults={"attended_on": datetime.date(2020, 6, 15)},
            )
        self._recruitment(today, units)
        self._education(today)
        # Each note's months are counted once, after the last note, not after each note.
        with journal_services.peer_months_deferred():
            self.created += journal_demo.load(today)
        leaders = {
            peer.pk: getattr(peer.staff_member.unit.leader, "user", None)
            for peer in PeerWorker.objects.select_related("staff_member__unit__leader__user")
        }
        self.created += employment_demo.load(today, leaders)
        self.created += evaluation_demo.load(today)
        self.created += evaluation_demo.load_outcomes(today)
        return self.created

    def _mentorship(
        self, peer: PeerWorker, mentor_name: str, start: datetime.date, today: datetime.date
    ) -> None:
        """A mentorship with a believable record: most past check-ins held."""
        from mentoring import services as mentoring
        from mentoring.models import CheckIn

        admin = get_user_model().objects.get(username="admin")
        mentorship = mentoring.mentor_assign(
            peer=peer,
            mentor=StaffMember.objects.get(email=_email(mentor_name)),
            start_date=start,
            by=admin,
        )
        past = list(mentorship.checkins.filter(date__lt=today).order_by("date"))
        recent_gap = (today - start).days < 120  # a newer peer: the last weeks not logged
        for index, checkin in enumerate(past):
            if recent_gap and index >= len(past) - 3:
                continue
            mentoring.checkin_log(
                checkin=checkin,
                by=admin,
                outcome="cancelled" if index % 7 == 6 else "held",
                expected_version=checkin.version,
                topics=[["staff_group", "routines"], ["case"], ["chime", "role"]][index % 3],
            )
        if start < today - relativedelta(years=1):
            # Long-running: after six months they went on meeting monthly, until now.
            mentoring.mentorship_continue_monthly(mentorship=mentorship, by=admin)
            history = mentoring.schedule_dates(
                start=start + relativedelta(months=6),
                weekday=mentorship.weekday,
                count=(today.year - start.year) * 12 + 12,
                away=[],
                taken=set(mentorship.checkins.values_list("date", flat=True)),
                monthly=True,
            )
            mentoring.checkins_load(
                checkins=[
                    CheckIn(
                        mentorship=mentorship,
                        date=day,
                        time=mentorship.meeting_time,
                        status=CheckIn.Status.HELD,
                        topics=["case"],
                        logged_by=admin,
                    )
                    for day in history
                    if day < today
                ]
            )
        self.created += 1

    def _recruitment(self, today: datetime.date, units: list[Unit]) -> None:
        """A vacancy in progress in the first team, and checklists for the demo peers."""
        from recruitment import services as recruitment
        from recruitment.models import Applicant, CommitteeMember, Onboarding, Vacancy

        recruitment.standard_templates_ensure()
        admin = get_user_model().objects.get(username="admin")
        leader_user = get_user_model().objects.get(username="leder")
        unit = units[0]
        if unit.leader is None:
            raise CommandError(f"{unit} has no leader (made above).")
        title = "Peermedarbejder til F-ACT Aalborg Øst"
        if not Vacancy.objects.filter(unit=unit, title=title).exists():
            vacancy = recruitment.vacancy_create(
                by=leader_user,
                unit=unit,
                title=title,
                hours_per_week=25,
                employment_form=PeerWorker.EmploymentForm.PERMANENT,
                planned_start_date=today + relativedelta(months=2, day=1),
                application_deadline=today + datetime.timedelta(days=12),
                contact_person=unit.leader,
            )
            recruitment.vacancy_set_status(vacancy=vacancy, by=leader_user, status="published")
            seats = [
                ("sara.holm", CommitteeMember.Seat.STAFF_REP),
                ("karen.moelgaard", CommitteeMember.Seat.CENTRE),
                ("oliver.jakobsen", CommitteeMember.Seat.PEER),
            ]
            for local, seat in seats:
                member = StaffMember.objects.get(email=f"{local}@{DOMAIN}")
                recruitment.committee_add(
                    vacancy=vacancy, by=leader_user, staff_member=member, seat=seat
                )
            S = Applicant.Stage
            people = [
                ("Rikke Sand", S.RECEIVED, 2),
                ("Jens Mølby", S.PREQUALIFICATION, 9),
                ("Hanne Dyhr", S.INTERVIEW, 11),
                ("Kim Albæk", S.REFERENCES, 12),
                ("Sofie Bladt", S.OFFER, 13),
                ("Martin Eskildsen", S.REJECTED, 10),
                ("Tina Lorentzen", S.WITHDRAWN, 8),
            ]
            order = [S.RECEIVED, S.PREQUALIFICATION, S.INTERVIEW, S.REFERENCES, S.OFFER]
            for name, stage, days_ago in people:
                applicant = recruitment.applicant_add(
                    vacancy=vacancy,
                    by=leader_user,
                    name=name,
                    email=_email(name).replace(DOMAIN, "ansoeger.example"),
                    received_on=today - datetime.timedelta(days=days_ago),
                )
                applicant.motivation = "Vil gerne bruge egne erfaringer til at give håb."
                applicant.save()
                target = order.index(stage) if stage in order else 1
                for step in order[1 : target + 1]:
                    if step == S.INTERVIEW:
                        committee = list(vacancy.committee.all())
                        interview = recruitment.interview_schedule(
                            applicant=applicant,
                            by=leader_user,
                            starts_at=timezone.now() - datetime.timedelta(days=3),
                            place="Mødelokale 2, Aalborg Øst",
                            present=committee,
                        )
                        centre_seat = next(m for m in committee if m.seat == "centre")
                        recruitment.assessment_record(
                            interview=interview,
                            member=centre_seat,
                            by=admin,
                            recovery_reflection=(
                                "Fortæller roligt om sin egen recovery og om, hvad der hjalp."
                            ),
                            assessment="God fornemmelse for egne grænser.",
                            recommendation="yes",
                        )
                    elif step == S.REFERENCES:
                        recruitment.reference_add(
                            applicant=applicant,
                            by=leader_user,
                            referee="Tidligere leder i et botilbud",
                            checked_on=today - datetime.timedelta(days=1),
                            summary="Stabil, varm og god til at samarbejde.",
                        )
                        recruitment.applicant_move(
                            applicant=applicant, by=leader_user, to_stage=step
                        )
                    elif applicant.stage != step:
                        recruitment.applicant_move(
                            applicant=applicant, by=leader_user, to_stage=step
                        )
                if stage in (S.REJECTED, S.WITHDRAWN):
                    recruitment.applicant_move(applicant=applicant, by=leader_user, to_stage=stage)
            self.created += 1

        # Checklists for the peers already employed; the long-serving ones mostly done.
        for peer in PeerWorker.objects.select_related("staff_member__unit"):
            if Onboarding.objects.filter(peer=peer).exists():
                continue
            onboarding = recruitment.onboarding_start_for_peer(peer=peer, by=admin)
            # As if the checklist was started when the peer worker was hired.
            onboarding.created_at = timezone.make_aware(
                datetime.datetime.combine(
                    peer.start_date - datetime.timedelta(days=90), datetime.time(9)
                )
            )
            onboarding.save(update_fields=["created_at"])
            recruitment.checklist_due_days_refresh(
                onboardings=Onboarding.objects.filter(pk=onboarding.pk)
            )
            for item in onboarding.items.filter(derived_from=""):
                if item.due_date() < today - datetime.timedelta(days=20):
                    item.done_on = item.due_date()
                    item.done_by = leader_user
                    item.save(update_fields=["done_on", "done_by"])
            self.created += 1

    def _unit(self, name: str, kind: str) -> Unit:
        unit, new = Unit.objects.get_or_create(
            name=name, defaults={"kind": kind, "organisation": ORGANISATION}
        )
        self.created += new
        return unit

    def _staff(
        self,
        name: str,
        unit: Unit,
        profession: str,
        *,
        login: str | None = None,
        centre: bool = False,
    ) -> StaffMember:
        member, new = StaffMember.objects.get_or_create(
            email=_email(name),
            defaults={
                "name": name,
                "unit": unit,
                "profession": profession,
                "is_centre_staff": centre,
                "phone": "",
            },
        )
        self.created += new
        if login:
            user, _new = get_user_model().objects.get_or_create(
                username=login, defaults={"email": member.email}
            )
            self._password(user)
            if member.user_id != user.pk:
                member.user = user
                member.save(update_fields=["user"])
        return member

    def _password(self, user: User) -> None:
        if not user.has_usable_password() or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])

    def _education(self, today: datetime.date) -> None:
        """A completed cohort (the demo peer is educated), a running one, the next one open
        for enrolment, mandatory courses, a year of erfa meetings and a supervision."""
        from education import services as education
        from education.models import (
            Cohort,
            CourseRecord,
            DayAttendance,
            ErfaGroup,
            MandatoryCourse,
            Meeting,
            MeetingAttendance,
            TopicProposal,
        )

        education.standard_data_ensure()
        if Cohort.objects.exists():
            return
        admin = get_user_model().objects.get(username="admin")
        centre = StaffMember.objects.get(email=_email("Karen Mølgaard"))
        peers = {p.name: p for p in PeerWorker.objects.select_related("staff_member__unit")}
        place = "Center for Recovery og Samskabelse, Aalborg"

        def cohort(name: str, start: datetime.date, status: str, capacity: int = 16) -> Cohort:
            made = education.cohort_create(
                by=admin,
                name=name,
                start_date=start,
                capacity=capacity,
                fee_dkk=settings.EDUCATION_FEE_DKK,
                default_place=place,
                status=Cohort.Status.PLANNING,
            )
            day = start + datetime.timedelta(days=(1 - start.weekday()) % 7)  # a Tuesday
            rows = []
            for session in made.sessions.select_related("module"):
                rows.append((session, day, datetime.time(9, 0), place))
                day += datetime.timedelta(weeks=3)
            education.cohort_update(
                cohort=made, by=admin, expected_version=made.version, schedule=rows
            )
            return made

        def attend(
            enrolment: Enrolment,
            sessions: list[CohortModule],
            skip: Collection[tuple[int, int]] = (),
        ) -> None:
            DayAttendance.objects.bulk_create(
                DayAttendance(enrolment=enrolment, session=s, day=d)
                for s in sessions
                for d in (1, 2)
                if s.first_day and s.days[-1] < today and (s.module.number, d) not in skip
            )

        old = cohort("Hold 2021", datetime.date(2021, 3, 2), Cohort.Status.PLANNING)
        old_sessions = list(old.sessions.select_related("module"))
        for name in ("Maria Sørensen", "Oliver Jakobsen", "Signe Haugaard"):
            attend(
                education.enrol(cohort=old, by=admin, peer=peers[name], centre=True), old_sessions
            )
        Cohort.objects.filter(pk=old.pk).update(status=Cohort.Status.COMPLETED)

        running = cohort(f"Hold {today.year}", today - datetime.timedelta(weeks=10), "")
        sessions = list(running.sessions.select_related("module"))
        for name in ("Benjamin Kofoed", "Lasse Vinther"):
            enrolment = education.enrol(cohort=running, by=admin, peer=peers[name], centre=True)
            attend(enrolment, sessions, skip={(2, 2)} if name == "Lasse Vinther" else ())
        for person, organisation in (
            ("Jonas Brix", "Aalborg Kommune, Socialpsykiatrien"),
            ("Helle Mørch", "Hjørring Kommune"),
        ):
            external = education.enrol(
                cohort=running,
                by=admin,
                centre=True,
                external_name=person,
                external_organisation=organisation,
                external_contact=_email(person).replace(DOMAIN, "kommune.example"),
            )
            attend(external, sessions)
        mentor = StaffMember.objects.get(email=_email("Kasper Iversen"))
        education.mentor_modules_set(
            cohort=running, mentor=mentor, sessions=sessions[:1] + sessions[4:5], by=admin
        )
        Cohort.objects.filter(pk=running.pk).update(status=Cohort.Status.RUNNING)

        upcoming = cohort(f"Hold {today.year + 1}", datetime.date(today.year + 1, 3, 3), "")
        Cohort.objects.filter(pk=upcoming.pk).update(status=Cohort.Status.OPEN)

        courses = list(MandatoryCourse.objects.filter(active=True))
        for name, done in (
            ("Maria Sørensen", len(courses)),
            ("Benjamin Kofoed", len(courses)),
            ("Lasse Vinther", 1),
        ):
            peer = peers[name]
            for index, course in enumerate(courses):
                CourseRecord.objects.get_or_create(
                    peer=peer,
                    course=course,
                    defaults={
                        "enrolled_on": peer.start_date + datetime.timedelta(days=14),
                        "completed_on": (
                            min(today, peer.start_date + datetime.timedelta(days=30 + index))
                            if index < done
                            else None
                        ),
                    },
                )

        peer_group = ErfaGroup.objects.get(audience="peers")
        mentor_group = ErfaGroup.objects.get(audience="mentors")
        for group, link in ((peer_group, "peer"), (mentor_group, "mentor")):
            group.facilitator = centre
            group.online_link = f"https://teams.example/erfa-{link}"
            group.save(update_fields=["facilitator", "online_link"])
        year_ago = today - relativedelta(months=12)
        _series, meetings = education.series_create(
            group=peer_group,
            by=admin,
            frequency="monthly",
            interval=1,
            weekday=1,
            week_of_month=2,
            start_time=datetime.time(13, 0),
            end_time=datetime.time(14, 30),
            first_date=year_ago,
            last_date=today + relativedelta(months=6),
            kind=Meeting.Kind.INTERNAL,
        )
        topics = [
            "Peerdrift – hvordan holder vi fast i peerrollen?",
            "Recovery-colleges i Danmark",
            "Pårørende som samarbejdspartnere",
            "Selvmordsforebyggelse i samtalen",
        ]
        peer_members = [p.staff_member for p in peers.values()]
        for index, meeting in enumerate(meetings):
            if index % 2:
                meeting.kind = Meeting.Kind.EXTERNAL
                meeting.topic = topics[(index // 2) % len(topics)]
                meeting.speaker = "Oplægsholder fra Recovery-netværket"
                meeting.save(update_fields=["kind", "topic", "speaker"])
            if meeting.ends_at < timezone.now():
                MeetingAttendance.objects.bulk_create(
                    MeetingAttendance(meeting=meeting, person=member)
                    for n, member in enumerate(peer_members)
                    if member.peer.start_date <= timezone.localdate(meeting.starts_at)
                    and (n + index) % 4
                )
        education.series_create(
            group=mentor_group,
            by=admin,
            frequency="monthly",
            interval=3,
            weekday=3,
            week_of_month=1,
            start_time=datetime.time(14, 0),
            end_time=datetime.time(15, 0),
            first_date=year_ago,
            last_date=today + relativedelta(months=6),
            kind=Meeting.Kind.INTERNAL,
        )
        maria = peers["Maria Sørensen"].staff_member
        TopicProposal.objects.create(
            group=peer_group,
            proposed_by=maria,
            title="At dele sin egen historie – hvor meget og hvornår?",
            description="Et oplæg fra en erfaren peermedarbejder.",
        )
        coming = [m for m in meetings if m.starts_at > timezone.now()]
        if coming:
            chosen = TopicProposal.objects.create(
                group=peer_group,
                proposed_by=maria,
                title="Brobygning til frivillige foreninger",
            )
            education.topic_choose(proposal=chosen, meeting=coming[0], by=admin)
        start = timezone.make_aware(
            datetime.datetime.combine(today + datetime.timedelta(days=10), datetime.time(10, 0))
        )
        education.supervision_create(
            by=admin,
            participants=[peers["Lasse Vinther"], peers["Benjamin Kofoed"]],
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1, minutes=30),
            supervisor="Anne Thorsen, psykolog",
            topic="Balancen mellem det professionelle og det private",
            place="Centret, mødelokale 2",
            facilitator=centre,
        )
        self.created += 1
