"""The demo's function descriptions: a peer worker in their seventh year with three agreed
revisions, one whose review is overdue, a new peer worker's draft that waits for the peer
worker's agreement, and one with none yet (their checklist task stays open)."""

from __future__ import annotations

import datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import User
from django.utils import timezone

from education import services as education_services
from employment import services
from employment.models import FunctionDescription, Presentation
from mentoring import services as mentoring_services
from peerprogram import services as core_services
from peerprogram.models import PeerWorker, StaffMember
from recruitment import services as recruitment_services
from recruitment.models import ChecklistItem

# (revision's hours by kind, tasks not done added, months after the start it was agreed,
# review months after the start) per revision: well-defined tasks first, more later.
_HISTORY: list[tuple[dict[str, int], str, int, int]] = [
    ({"hours_conversations": 18, "hours_groups": 6}, "", 0, 3),
    (
        {"hours_conversations": 16, "hours_groups": 6, "hours_bridge": 4},
        "Vagtdækning",
        3,
        12,
    ),
    (
        {
            "hours_conversations": 12,
            "hours_groups": 6,
            "hours_bridge": 4,
            "hours_psychoeducation": 3,
            "hours_meetings": 2,
        },
        "Vagtdækning",
        -1,
        -1,
    ),
]


def _write(
    peer: PeerWorker,
    leader: User | None,
    hours: dict[str, Any],
    extra_not: str,
    agreed: datetime.date | None,
    review: datetime.date,
    peer_agrees: bool = True,
) -> FunctionDescription:
    values = services.draft_start_values(peer)
    values.update({name: 0 for name in values if name.startswith("hours_")})
    values.update(hours)
    values["contact_routes"] = ["patient", "contact_person", "action_plan"]
    values["review_on"] = review
    if extra_not and extra_not not in values["not_tasks"]:
        values["not_tasks"] = f"{values['not_tasks']}\n{extra_not}"
    description = services.description_create(peer=peer, by=leader, **values)
    if agreed is not None:
        FunctionDescription.objects.filter(pk=description.pk).update(
            leader_agreed_on=agreed,
            leader_agreed_by=leader,
            peer_agreed_on=agreed if peer_agrees else None,
            created_at=datetime.datetime.combine(agreed, datetime.time(10), datetime.UTC),
        )
    return description


def load(today: datetime.date, leader_of: dict[int, User | None]) -> int:
    """Descriptions for the demo's peer workers who have none; `leader_of` maps a peer
    worker's id to their unit leader's login. Returns how many rows were written."""
    written = 0
    peers = {p.name: p for p in PeerWorker.objects.select_related("staff_member")}

    def fresh(name: str) -> PeerWorker | None:
        peer = peers.get(name)
        if peer is None or peer.function_descriptions.exists():
            return None
        return peer

    if peer := fresh("Maria Sørensen"):
        leader = leader_of.get(peer.pk)
        for index, (hours, extra, agreed_months, review_months) in enumerate(_HISTORY):
            if agreed_months < 0:  # the one in force: agreed eleven months ago
                agreed = today - relativedelta(months=11)
                review = today + relativedelta(months=1)
            else:
                agreed = peer.start_date + relativedelta(months=agreed_months, days=10 * index)
                review = peer.start_date + relativedelta(months=review_months)
            _write(peer, leader, hours, extra, agreed, review)
            written += 1
    if peer := fresh("Oliver Jakobsen"):
        _write(
            peer,
            leader_of.get(peer.pk),
            {"hours_conversations": 15, "hours_cafe": 4, "hours_meetings": 2},
            "",
            today - relativedelta(months=14),
            today - relativedelta(months=2),
        )
        written += 1
    if peer := fresh("Lasse Vinther"):
        # Agreed by the leader last week; the peer worker has not agreed yet.
        _write(
            peer,
            leader_of.get(peer.pk),
            {"hours_conversations": 14, "hours_groups": 4},
            "",
            today - datetime.timedelta(days=7),
            peer.start_date + relativedelta(months=3),
            peer_agrees=False,
        )
        written += 1
    written += _talks(today, leader_of, peers)
    written += _backgrounds_and_endings(today, leader_of, peers)
    written += _buddy(today, leader_of, peers)
    written += _delegated()
    written += _supervision(today, leader_of, peers)
    written += _drifting_nurse(today, peers)
    maria = peers.get("Maria Sørensen")
    if maria is not None and not Presentation.objects.filter(peer=maria).exists():
        # Her own words, approved by her; the leaflet made when she started.
        presentation = services.presentation_save(
            peer=maria,
            by=maria.staff_member.user,  # type: ignore[arg-type]
            text=(
                "Jeg hedder Maria. Jeg har selv været indlagt og ved, hvor svært det kan "
                "være at finde håbet igen.\n\nI dag bruger jeg mine erfaringer til at "
                "støtte dig: vi kan tale om hverdagen, om det, der giver mening for dig, og "
                "om de små skridt videre."
            ),
            approve=True,
            expected_version=1,
        )
        Presentation.objects.filter(pk=presentation.pk).update(
            approved_on=maria.start_date, leaflet_made_on=maria.start_date
        )
        written += 1
    return written


def _drifting_nurse(today: datetime.date, peers: dict[str, PeerWorker]) -> int:
    """A peer worker in Maria's unit, a trained nurse, who has slid into the ward's tasks:
    she logs medication rounds and covering for the team week after week, and records
    little peer work (the drift signal, marked "more exposed")."""
    maria = peers.get("Maria Sørensen")
    if maria is None or "Camilla Nørgaard" in peers:
        return 0
    unit = maria.staff_member.unit
    leader = unit.leader.user if unit.leader else None
    start = today - relativedelta(months=14)
    camilla = core_services.peer_create(
        by=None,
        name="Camilla Nørgaard",
        email="camilla.noergaard@region-nord.example",
        unit=unit,
        start_date=start,
        hours_per_week=30,
        employment_form=PeerWorker.EmploymentForm.PERMANENT,
        lived_experience=PeerWorker.LivedExperience.PATIENT,
        earlier_profession="Sygeplejerske",
        education="Sygeplejerskeuddannelsen; peeruddannelsen 2025",
    )
    _write(
        camilla,
        leader,
        {"hours_conversations": 16, "hours_groups": 4, "hours_bridge": 4, "hours_meetings": 2},
        "Medicinudlevering og plejeopgaver",
        start + relativedelta(months=1),
        start + relativedelta(months=13),
    )
    monday = today - datetime.timedelta(days=today.weekday())
    for weeks_back in range(1, 9):
        week = monday - datetime.timedelta(weeks=weeks_back)
        services.outside_task_log(
            peer=camilla, by=leader, week=week, kind="care", hours=8, note="Medicinrunde"
        )
        if weeks_back % 2:
            services.outside_task_log(
                peer=camilla, by=leader, week=week, kind="cover", hours=4, note="Dækkede vagt"
            )
    return 1


def _supervision(
    today: datetime.date, leader_of: dict[int, User | None], peers: dict[str, PeerWorker]
) -> int:
    """Maria's individual supervision every six weeks, arranged by her leader with an
    outside supervisor: eight sessions held (one missed), two to come."""
    maria = peers.get("Maria Sørensen")
    if maria is None or maria.supervisions.exists():
        return 0
    leader = leader_of.get(maria.pk)
    first = timezone.make_aware(
        datetime.datetime.combine(
            today - datetime.timedelta(weeks=48) + datetime.timedelta(days=2),
            datetime.time(13, 0),
        )
    )
    meeting = education_services.supervision_create(
        by=leader,  # type: ignore[arg-type]
        participants=[maria],
        starts_at=first,
        ends_at=first + datetime.timedelta(hours=1),
        supervisor="Jens Bach",
        supervisor_organisation="Psykologhuset Nord",
        topic="Balancen mellem det professionelle og det private",
        place="F-ACT Aalborg Øst, samtalerummet",
        repeat_weeks=6,
        sessions=10,
    )
    held = maria.supervisions.filter(starts_at__lt=timezone.now()).order_by("starts_at")
    for number, session in enumerate(held):
        present = [] if number == 3 else [maria.staff_member]  # she was ill once
        education_services.meeting_attendance_save(
            meeting=session,
            by=leader,  # type: ignore[arg-type]
            people=present,
        )
    return 1 if meeting else 0


def _delegated() -> int:
    """The leader of F-ACT Aalborg Øst hands the CHIME documentation training on the
    coming peer worker's checklist to the unit's mentor, Mikkel: it is on his home page."""
    item = (
        ChecklistItem.objects.filter(
            onboarding__unit__name="F-ACT Aalborg Øst",
            onboarding__peer__isnull=True,
            title="Oplæring i dokumentation efter CHIME",
            assignee__isnull=True,
            done_on__isnull=True,
        )
        .select_related("onboarding__unit__leader__user")
        .first()
    )
    mikkel = StaffMember.objects.filter(name="Mikkel Dahl").first()
    leader = item.onboarding.unit.leader if item else None
    if item is None or mikkel is None or leader is None:
        return 0
    recruitment_services.checklist_item_update(
        item=item,
        by=leader.user,  # type: ignore[arg-type]
        expected_version=item.version,
        assignee=mikkel,
    )
    return 1


def _buddy(
    today: datetime.date, leader_of: dict[int, User | None], peers: dict[str, PeerWorker]
) -> int:
    """The new peer worker gets an experienced peer worker of another unit as buddy,
    beside the mentor."""
    lasse, oliver = peers.get("Lasse Vinther"), peers.get("Oliver Jakobsen")
    if lasse is None or oliver is None:
        return 0
    if lasse.mentorships.filter(kind="buddy").exists():
        return 0
    mentoring_services.mentor_assign(
        peer=lasse,
        mentor=oliver.staff_member,
        start_date=max(lasse.start_date, today - datetime.timedelta(days=30)),
        by=leader_of.get(lasse.pk),
        kind="buddy",
    )
    return 1


def _backgrounds_and_endings(
    today: datetime.date, leader_of: dict[int, User | None], peers: dict[str, PeerWorker]
) -> int:
    """Backgrounds for some of the demo's peer workers, and one who left: in Signe's unit,
    hired four years ago, gone after eighteen months for a new job, with an exit talk."""
    written = 0
    backgrounds = {
        "Maria Sørensen": ("patient", "", "Peeruddannelsen 2021; kursus i gruppefacilitering"),
        "Oliver Jakobsen": ("both", "Social- og sundhedsassistent", "Peeruddannelsen 2021"),
        "Benjamin Kofoed": ("relative", "", ""),
    }
    for name, (lived, profession, education) in backgrounds.items():
        peer = peers.get(name)
        if peer is not None and not peer.lived_experience:
            PeerWorker.objects.filter(pk=peer.pk).update(
                lived_experience=lived, earlier_profession=profession, education=education
            )
    signe = peers.get("Signe Haugaard")
    if signe is None or "Jonas Brix" in peers:
        return written
    start = today - relativedelta(years=4)
    jonas = core_services.peer_create(
        by=None,
        name="Jonas Brix",
        email="jonas.brix@example.org",
        unit=signe.staff_member.unit,
        start_date=start,
        hours_per_week=25,
        employment_form=PeerWorker.EmploymentForm.PERMANENT,
        end_date=start + relativedelta(months=18),
        end_reason=PeerWorker.EndReason.NEW_JOB,
        lived_experience=PeerWorker.LivedExperience.PATIENT,
    )
    services.talk_record(
        peer=jonas,
        by=leader_of.get(signe.pk),
        kind="exit",
        date=start + relativedelta(months=18),
        how_it_goes=(
            "Går videre til et job som bostøtte. Savnede en fast makker i teamet og "
            "supervision tidligere i forløbet."
        ),
        wellbeing=4,
    )
    return written + 2


def _talks(
    today: datetime.date, leader_of: dict[int, User | None], peers: dict[str, PeerWorker]
) -> int:
    """Follow-up talks and MUS: the seventh year of one peer worker (two MUS with their
    development plans, the monthly talks of the last months, one action still open), the
    first weeks of a new one, and a talk overdue for a third."""
    written = 0
    maria = peers.get("Maria Sørensen")
    if maria is not None and not maria.talks.exists():
        leader = leader_of.get(maria.pk)
        anniversary = maria.start_date.replace(year=today.year)
        if anniversary > today:
            anniversary = anniversary.replace(year=today.year - 1)
        plans = [
            "Vil gerne være medfacilitator på en recoverygruppe. Aftalt: Centrets kursus i "
            "gruppefacilitering i foråret.",
            "Ønsker at lære nye kolleger op i peerrollen. Aftalt: mentorintroduktion hos "
            "Centret og supervision en gang om måneden.",
        ]
        for years_back, plan in zip((1, 0), plans, strict=True):
            services.talk_record(
                peer=maria,
                by=leader,
                kind="mus",
                date=anniversary - relativedelta(years=years_back),
                how_it_goes="Et godt år med mange samtaler og to nye grupper.",
                workload="right",
                wellbeing=4,
                development=plan,
            )
            written += 1
        monthly = [
            (
                "Travlt i november; to nye henvisninger om ugen.",
                "too_much",
                3,
                [("Tal med teamet om ventelisten til peersamtaler", "leader", 14)],
            ),
            (
                "Ventelisten er kortere. Gruppen kører.",
                "right",
                4,
                [("Forbered oplæg til personalemødet om peerstøtte", "peer", 21)],
            ),
            ("God rytme. Ønsker mere tid til brobygning.", "right", 4, []),
        ]
        for index, (text, workload, wellbeing, actions) in enumerate(monthly):
            day = today - relativedelta(months=len(monthly) - index) + datetime.timedelta(days=3)
            talk = services.talk_record(
                peer=maria,
                by=leader,
                kind="follow_up",
                date=min(day, today),
                how_it_goes=text,
                workload=workload,
                wellbeing=wellbeing,
                actions=[
                    (what, who, day + datetime.timedelta(days=days)) for what, who, days in actions
                ],
            )
            if index == 0:
                talk.actions.update(done_on=day + datetime.timedelta(days=10))
            written += 1
    lasse = peers.get("Lasse Vinther")
    if lasse is not None and not lasse.talks.exists():
        for weeks in (2, 4, 6):
            day = lasse.start_date + datetime.timedelta(weeks=weeks)
            if day <= today:
                services.talk_record(
                    peer=lasse,
                    by=leader_of.get(lasse.pk),
                    kind="follow_up",
                    date=day,
                    how_it_goes="Godt i gang; lærer teamet og afsnittets rutiner at kende.",
                    workload="too_little" if weeks == 2 else "right",
                    wellbeing=4,
                )
                written += 1
    benjamin = peers.get("Benjamin Kofoed")
    if benjamin is not None and not benjamin.talks.exists():
        # The last talk three months ago: the monthly one is overdue.
        services.talk_record(
            peer=benjamin,
            by=leader_of.get(benjamin.pk),
            kind="follow_up",
            date=today - relativedelta(months=3),
            how_it_goes="Prøvetiden er godt overstået.",
            workload="right",
            wellbeing=5,
        )
        written += 1
    return written
