"""Fictional journal data for the demo programme: patients, referrals, four months of notes.

Called by `seed_demo`. Every name and every sentence is invented. Runs once: when any
patient exists, it does nothing.
"""

from __future__ import annotations

import datetime
import random

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.utils import timezone

from journal import services
from journal.models import Note, NoteVersion, Patient, Referral
from peerprogram.models import PeerWorker

CONNECTEDNESS = [
    "Har genoptaget kontakten med sin søster og ringer til hende om søndagen.",
    "Savner kollegerne fra før sygemeldingen. Vil prøve fællesspisning i medborgerhuset.",
    "Føler sig mindre alene efter at have mødt andre med lignende erfaringer i gruppen.",
    "Naboen har tilbudt at gå tur med hende om tirsdagen.",
]
HOPE = [
    "Glæder sig til at starte på et hold i det lokale motionscenter.",
    "Siger, at det hjælper at høre, at andre er kommet igennem noget lignende.",
    "Håber at kunne tage barnebarnet med i zoologisk have til sommer.",
    "Tror på, at søvnen bliver bedre, nu hvor der er mere rytme i hverdagen.",
]
IDENTITY = [
    "Er mere end sin diagnose: far, tidligere tømrer og god til at lave mad.",
    "Er begyndt at tegne igen og kalder sig selv kreativ.",
    "Vil gerne kendes som en, der er god til at lytte.",
]
MEANING = [
    "Hunden giver struktur på dagen og en grund til at komme ud.",
    "Vil gerne hjælpe til i det frivillige cykelværksted.",
    "Haven giver ro. Har sået kartofler sammen med sin datter.",
]
EMPOWERMENT = [
    "Har selv ringet til jobcentret og aftalt et møde.",
    "Bestemte selv dagsordenen i dag: søvn og rytme.",
    "Vil selv fortælle behandleren, at medicinen gør ham træt.",
    "Har lavet en plan for, hvad hun gør, når tankerne bliver for mange.",
]
WORDS = [
    "Jeg vil gerne have, at der står, at jeg selv valgte at komme i dag.",
    "Det er første gang i lang tid, jeg har haft lyst til at planlægge noget.",
    "Jeg er ikke bare en patient. Jeg er også mor.",
]
NEXT_STEPS = [
    "Vi mødes igen torsdag kl. 10 i ambulatoriet.",
    "Vi går sammen til åbent hus i klubben næste uge.",
    "Hun tager selv kontakt til kontaktpersonen om medicinen. Vi ses om en uge.",
    "Han ringer, hvis han vil have følgeskab til motionscentret første gang.",
]
PATIENTS = [
    ("A.K.", "AØ-1042"),
    ("Bjarne", "AØ-1107"),
    ("C.M.", "AØ-1115"),
    ("Dorthe", "AØ-1189"),
    ("E.L.", "AØ-1203"),
    ("Finn", "AØ-1231"),
]
GROUP_TOPICS = [
    "Recovery-gruppe: at finde sine egne små skridt",
    "Søvn og hverdagsrytme",
    "At fortælle sin historie",
    "Håb, når det er svært",
]


def load(today: datetime.date) -> int:
    """Patients for every employed peer worker with a login; the demo peer gets the most."""
    if Patient.objects.exists():
        return 0
    rng = random.Random(2026)  # noqa: S311 - reproducible demo data, not security
    created = 0
    peers = list(
        PeerWorker.objects.filter(start_date__lte=today - relativedelta(months=1))
        .filter(staff_member__active=True)
        .select_related("staff_member__unit", "staff_member__user")
    )
    admin = get_user_model().objects.get(username="admin")
    for peer in peers:
        by = peer.staff_member.user or admin
        main = peer.staff_member.user is not None and peer.staff_member.user.username == "peer"
        patients = _patients(peer, by, today, PATIENTS if main else PATIENTS[:3], rng)
        created += len(patients)
        per_week = 3 if main else rng.choice([1, 2, 4])
        created += _notes(peer, by, patients, today, per_week, rng, showcase=main)
        created += _group_notes(peer, by, today, rng)
        if main:
            created += _referrals(peer, today)
    return created


def _patients(
    peer: PeerWorker,
    by: User,
    today: datetime.date,
    names: list[tuple[str, str]],
    rng: random.Random,
) -> list[Patient]:
    # The demo peer's unit uses the references above; other units get their own.
    own = names is PATIENTS
    prefix = "".join(word[0] for word in peer.staff_member.unit.name.split()[:3]).upper()
    patients = []
    for i, (name, reference) in enumerate(names):
        patients.append(
            services.patient_create(
                by=by,
                peer=peer,
                name=name,
                reference=reference if own else f"{prefix}-{1042 + i * 29}",
                consent_date=today - datetime.timedelta(days=130 - i * 3),
                consent_given=rng.choice(["orally", "writing"]),
            )
        )
    return patients


def _write(
    note: Note,
    by: User,
    rng: random.Random,
    *,
    approve: bool = True,
    at: datetime.datetime | None = None,
) -> None:
    draft = services.draft_of(note)
    if draft is None:
        raise ValueError("A note being written has a draft.")
    texts = {
        "connectedness": rng.choice(CONNECTEDNESS) if rng.random() < 0.7 else "",
        "hope": rng.choice(HOPE) if rng.random() < 0.8 else "",
        "identity": rng.choice(IDENTITY) if rng.random() < 0.4 else "",
        "meaning": rng.choice(MEANING) if rng.random() < 0.5 else "",
        "empowerment": rng.choice(EMPOWERMENT) if rng.random() < 0.7 else "",
        "patient_words": rng.choice(WORDS) if rng.random() < 0.3 else "",
        "next_steps": rng.choice(NEXT_STEPS),
    }
    if not any(texts[k] for k in ("connectedness", "hope", "identity", "meaning", "empowerment")):
        texts["hope"] = rng.choice(HOPE)
    services.draft_save(draft=draft, by=by, expected_version=draft.version, changes=texts)
    if approve:
        draft.refresh_from_db()
        services.note_approve(note=note, by=by, expected_version=draft.version)
        if at is not None:
            NoteVersion.objects.filter(pk=draft.pk).update(saved_at=at, approved_at=at)
            Note.objects.filter(pk=note.pk).update(created_at=at)


def _notes(
    peer: PeerWorker,
    by: User,
    patients: list[Patient],
    today: datetime.date,
    per_week: int,
    rng: random.Random,
    *,
    showcase: bool,
) -> int:
    active = patients[:-1] if showcase else patients
    count = 0
    day = today - relativedelta(months=4)
    while day < today - datetime.timedelta(days=1):
        if day.weekday() < 5 and rng.random() < per_week / 5:
            patient = rng.choice(active)
            activity = rng.choices(["conversation", "bridge", "other"], [8, 2, 1])[0]
            place = rng.choice(["outpatient", "home", "community", "ward", "phone"])
            note = services.note_start(
                patient=patient,
                peer=peer,
                by=by,
                date=day,
                place=place,
                activity=activity,
                minutes=rng.choice([30, 45, 45, 60, 90]),
            )
            at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(14, 30)))
            _write(note, by, rng, at=at)
            count += 1
        day += datetime.timedelta(days=1)
    if showcase:
        count += _showcase(peer, by, patients, today, rng)
    return count


def _showcase(
    peer: PeerWorker,
    by: User,
    patients: list[Patient],
    today: datetime.date,
    rng: random.Random,
) -> int:
    """A changed note (two versions), a draft, one entered in error, concerns, an ended patient."""
    first, second, third = patients[0], patients[1], patients[2]
    changed = first.notes.filter(status=Note.Status.FINAL).earliest("created_at")
    draft = services.note_revise(note=changed, peer=peer, by=by)
    services.draft_save(
        draft=draft,
        by=by,
        expected_version=draft.version,
        changes={"next_steps": "Vi mødes igen fredag i stedet, fordi han har tandlæge torsdag."},
    )
    draft.refresh_from_db()
    services.note_approve(note=changed, by=by, expected_version=draft.version)

    waiting = services.note_start(
        patient=second,
        peer=peer,
        by=by,
        date=today - datetime.timedelta(days=1),
        place="home",
        activity="conversation",
        minutes=60,
    )
    _write(waiting, by, rng, approve=False)

    wrong = third.notes.filter(status=Note.Status.FINAL).latest("created_at")
    services.note_mark_error(
        note=wrong, by=by, reason="Skrevet på den forkerte patient. Rettet i et nyt notat."
    )

    passed = first.notes.filter(status=Note.Status.FINAL).latest("created_at")
    services.concern_raise(note=passed, by=by)
    services.concern_record(
        note=passed,
        by=by,
        passed_to="Kontaktperson Mikkel Dahl",
        passed_at=timezone.now() - datetime.timedelta(days=2),
    )
    open_concern = second.notes.filter(status=Note.Status.FINAL).latest("created_at")
    services.concern_raise(note=open_concern, by=by)

    ended = patients[-1]
    services.patient_update(
        patient=ended,
        by=by,
        expected_version=ended.version,
        status=Patient.Status.ENDED,
        ended_on=today - relativedelta(months=1),
    )
    return 2


def _group_notes(peer: PeerWorker, by: User, today: datetime.date, rng: random.Random) -> int:
    count = 0
    day = today - relativedelta(months=4)
    while day < today:
        if day.weekday() == 2:
            services.group_note_create(
                by=by,
                peer=peer,
                date=day,
                place="outpatient",
                topic=rng.choice(GROUP_TOPICS),
                participants=rng.randint(3, 9),
                minutes=90,
                co_facilitator="Ergoterapeut i afsnittet",
                connectedness=rng.random() < 0.7,
                hope=rng.random() < 0.7,
                identity=rng.random() < 0.4,
                meaning=rng.random() < 0.5,
                empowerment=rng.random() < 0.6,
            )
            count += 1
        day += datetime.timedelta(days=1)
    return count


def _referrals(peer: PeerWorker, today: datetime.date) -> int:
    unit = peer.staff_member.unit
    others = unit.staff.exclude(pk=peer.staff_member_id)
    if unit.leader_id is not None:
        others = others.exclude(pk=unit.leader_id)
    colleague = others.first()
    if colleague is None:
        raise ValueError(f"{unit} has no colleague to refer patients to {peer}.")
    by = colleague.user or get_user_model().objects.get(username="admin")
    services.referral_create(
        by=by,
        referred_by=colleague,
        peer=peer,
        patient_name="G.H.",
        patient_reference="AØ-1250",
        reason="Vil gerne tale med en, der selv har prøvet at være indlagt. Er nervøs for "
        "at komme ud i hverdagen igen.",
        contact_route=Referral.ContactRoute.CONTACT_PERSON,
    )
    accepted = services.referral_create(
        by=by,
        referred_by=colleague,
        peer=peer,
        patient_name="Dorthe",
        patient_reference="AØ-1189",
        reason="Ønsker følgeskab til et fællesskab i lokalområdet.",
        contact_route=Referral.ContactRoute.ACTION_PLAN,
    )
    services.referral_accept(referral=accepted, by=peer.staff_member.user)
    declined = services.referral_create(
        by=by,
        referred_by=colleague,
        peer=peer,
        patient_name="I.J.",
        patient_reference="AØ-1262",
        reason="Har spurgt til peerstøtte.",
        contact_route=Referral.ContactRoute.PATIENT,
    )
    services.referral_decline(
        referral=declined,
        by=peer.staff_member.user,
        reason="Patienten kender mig privat. Jeg foreslår en peer fra et andet team.",
    )
    earlier = timezone.now() - datetime.timedelta(days=20)
    Referral.objects.filter(pk__in=[accepted.pk, declined.pk]).update(created_at=earlier)
    # Made earlier than the services saw: the peer worker's months (and with them the
    # programme's) are counted again.
    services.peer_months_refresh(
        keys=[(peer.pk, timezone.localdate()), (peer.pk, timezone.localdate(earlier))]
    )
    return 3
