"""Load the fictional demo programme. Safe to run again: it finds what exists."""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from mentoring.models import MentorIntroduction
from peerprogram.models import PeerWorker, StaffMember, Unit

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

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")

    def handle(self, *args, force: bool = False, **options):
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
        return self.created

    def _mentorship(self, peer, mentor_name: str, start: datetime.date, today) -> None:
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
            checkin.status = CheckIn.Status.CANCELLED if index % 7 == 6 else CheckIn.Status.HELD
            checkin.topics = [["staff_group", "routines"], ["case"], ["chime", "role"]][index % 3]
            checkin.logged_by = admin
            checkin.save()
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
            CheckIn.objects.bulk_create(
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

    def _staff(self, name, unit, profession, *, login=None, centre=False) -> StaffMember:
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

    def _password(self, user) -> None:
        if not user.has_usable_password() or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
