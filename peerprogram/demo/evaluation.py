"""The demo's evaluation. The implementation survey: two closed rounds of the starter
questionnaire a half-year apart (the second a little better on the function and the
leaders' goals), and a round open now that the demo logins have not answered yet. Every
unit but the Centre is asked; most units are too small to show on their own. Outcomes:
see load_outcomes."""

from __future__ import annotations

import datetime
import random

from dateutil.relativedelta import relativedelta

from evaluation import selectors
from evaluation.models import (
    Answer,
    Instrument,
    InstrumentItem,
    Invitation,
    Measurement,
    MeasurementAnswer,
    PatientConsent,
    PeerResearchConsent,
    Question,
    Questionnaire,
    ResearchProject,
    Response,
    SurveyRound,
)
from evaluation.services import score_of
from journal.models import Patient
from peerprogram.models import PeerWorker, Unit

# The mean each theme lands on in the first and the second round (1–5).
_LEVEL = {
    "clarity": (3.0, 3.7),
    "colleagues": (3.4, 3.8),
    "goals": (2.7, 3.5),
    "referrals": (3.1, 3.3),
    "community": (3.9, 4.1),
    "wellbeing": (3.8, 4.0),
}

_TEXTS = {
    "Hvad fungerer godt ved peerstøtten hos jer?": [
        "Patienterne taler anderledes med peermedarbejderen end med os andre.",
        "Peermedarbejderen giver håb til patienter, der har opgivet.",
        "Samtalerne om hverdagen efter indlæggelsen.",
        "Gruppeforløbene, som peermedarbejderen holder sammen med en ergoterapeut.",
        "At peermedarbejderen er med på morgenmødet.",
        "Erfagruppen hver måned.",
        "Vi har fået et nyt sprog for recovery i teamet.",
        "Peermedarbejderen bygger bro til aktiviteter uden for afsnittet.",
    ],
    "Hvad skal laves om?": [
        "Vi skal blive bedre til at henvise tidligt i forløbet.",
        "Funktionsbeskrivelsen skal gennemgås igen, nu hvor opgaverne er vokset.",
        "Flere peermedarbejdere, så man ikke står alene.",
        "Mere tid til supervision.",
        "Nye kolleger kender ikke tilbuddet.",
        "Henvisningerne kommer i ryk: nogle uger mange, andre ingen.",
        "Peermedarbejderen skal med på flere af teamets møder.",
    ],
}


def _season(day: datetime.date) -> str:
    return f"{'Forår' if day.month <= 6 else 'Efterår'} {day.year}"


def _score(rng: random.Random, level: float) -> int:
    return max(1, min(5, round(rng.gauss(level, 0.9))))


def load(today: datetime.date) -> int:
    if SurveyRound.objects.exists():
        return 0
    questionnaire = Questionnaire.objects.order_by("pk").first()
    if questionnaire is None:
        return 0
    units = list(Unit.objects.filter(active=True).exclude(staff__is_centre_staff=True).distinct())
    questions = list(questionnaire.questions.all())
    rng = random.Random(24)  # noqa: S311 - reproducible demo data, not security
    created = 0
    starts = [today - relativedelta(months=10), today - relativedelta(months=4)]
    for index, opens in enumerate(starts):
        survey = SurveyRound.objects.create(
            questionnaire=questionnaire,
            title=_season(opens),
            opens_on=opens,
            closes_on=opens + datetime.timedelta(days=21),
            invited_on=opens,
            reminded_on=opens + datetime.timedelta(days=15),
        )
        survey.units.set(units)
        created += 1 + _answered_round(survey, questions, rng, index)
    current = SurveyRound.objects.create(
        questionnaire=questionnaire,
        title=_season(today) + " (demo: åben nu)",
        opens_on=today - datetime.timedelta(days=5),
        closes_on=today + datetime.timedelta(days=10),
        invited_on=today - datetime.timedelta(days=5),
    )
    current.units.set(units)
    created += 1
    for asked in selectors.asked(current, current.opens_on):
        Invitation.objects.create(
            round=current,
            person=asked.person,
            unit_id=asked.unit_id,
            group=asked.group,
            sent_on=current.opens_on,
        )
        created += 1
    return created


def _answered_round(
    survey: SurveyRound, questions: list[Question], rng: random.Random, index: int
) -> int:
    """Invitations for everyone asked on the opening day; about nine in ten answered.
    Each free text is written once in a round."""
    created = 0
    unwritten = {question: rng.sample(texts, len(texts)) for question, texts in _TEXTS.items()}
    for asked in selectors.asked(survey, survey.opens_on):
        answered = rng.random() < 0.9
        Invitation.objects.create(
            round=survey,
            person=asked.person,
            unit_id=asked.unit_id,
            group=asked.group,
            sent_on=survey.opens_on,
            answered=answered,
        )
        created += 1
        if not answered:
            continue
        response = Response.objects.create(round=survey, unit_id=asked.unit_id, group=asked.group)
        answers = []
        for question in questions:
            if not question.asked_of(asked.group):
                continue
            if question.kind == Question.Kind.SCALE:
                if rng.random() < 0.05:
                    continue  # skipped
                level = _LEVEL[question.theme][index]
                answers.append(
                    Answer(response=response, question=question, score=_score(rng, level))
                )
            elif rng.random() < 0.3 and unwritten.get(question.text):
                text = unwritten[question.text].pop()
                answers.append(Answer(response=response, question=question, text=text))
        Answer.objects.bulk_create(answers)
        created += 1 + len(answers)
    return created


# Outcomes ---------------------------------------------------------------------------------

# Written for the demo, not a published instrument: the shape of a short measure of
# personal recovery, so that the pages have something to show.
DEMO_INSTRUMENT = "Eksempel: Min hverdag og mine mål (kun til demo)"
DEMO_ITEMS = [
    ("Jeg har håb for min fremtid.", False),
    ("Jeg har mennesker, jeg kan regne med.", False),
    ("Jeg ved, hvad der er vigtigt for mig.", False),
    ("Jeg kan selv gøre noget, når jeg har det svært.", False),
    ("Mine problemer fylder hele min hverdag.", True),
    ("Jeg tager del i ting, der giver mening for mig.", False),
]


def load_outcomes(today: datetime.date) -> int:
    """The demo instrument, consent for most patients, a first measurement for each
    and one after three months for those who have had peer support that long (but one of
    the demo peer worker's, whose is due); a research
    project running now; and last year's patients (_last_year), for the aggregates."""
    if Instrument.objects.exists():
        return 0
    instrument = Instrument.objects.create(
        name=DEMO_INSTRUMENT,
        description=(
            "Seks udsagn om håb, forbindelse til andre, mening og handlekraft. Skrevet til "
            "demoen: erstat det med et instrument, regionen har licens til."
        ),
        licence="Skrevet til demoen af Peerprogram; ingen rettigheder, ingen licens nødvendig.",
        scale_min=1,
        scale_max=5,
        min_label="Passer slet ikke",
        max_label="Passer helt",
        scoring=Instrument.Scoring.MEAN,
        timepoints=["first", "m3", "m6", "end"],
    )
    items = [
        InstrumentItem.objects.create(instrument=instrument, order=(n + 1) * 10, text=t, reversed=r)
        for n, (t, r) in enumerate(DEMO_ITEMS)
    ]
    rng = random.Random(31)  # noqa: S311 - reproducible demo data, not security
    created = 1 + len(items)
    patients = list(
        Patient.objects.filter(consent_date__isnull=False)
        .prefetch_related("peers__staff_member__user")
        .order_by("unit__name", "pk")
    )
    # One of the demo peer worker's patients waits for the measure after three months: the
    # peer worker's home page says a measurement is due.
    left_due = False
    for n, patient in enumerate(patients):
        peer = patient.peers.first()
        consented = patient.consent_date
        if peer is None or consented is None or patient.reference.endswith("1231"):
            continue  # Finn: asked next time (the demo peer can fill one in)
        research = n % 3 != 2
        PatientConsent.objects.create(
            patient=patient,
            measure_on=consented,
            measure_how="orally",
            research=research,
            research_on=consented,
        )
        created += 1
        level = rng.uniform(2.2, 3.2)
        points = [("first", consented, level)]
        leave = not left_due and getattr(peer.staff_member.user, "username", "") == "peer"
        if consented <= today - datetime.timedelta(days=95) and leave:
            left_due = True
        elif consented <= today - datetime.timedelta(days=95):
            points.append(
                (
                    "m3",
                    consented + datetime.timedelta(days=91),
                    level + rng.uniform(0.1, 0.9),
                )
            )
        created += _measured(patient, peer, instrument, items, points, rng)
    created += _last_year(today, instrument, items, rng)
    for peer in PeerWorker.objects.filter(staff_member__user__username__in=["peer", "peer2"]):
        PeerResearchConsent.objects.create(
            peer=peer,
            research=getattr(peer.staff_member.user, "username", "") == "peer",
            research_on=today - datetime.timedelta(days=40),
        )
        created += 1
    ResearchProject.objects.create(
        title="Peerstøtte og personlig recovery (fiktivt demoprojekt)",
        approval="Demo-2026-17",
        starts_on=today - relativedelta(months=2),
        ends_on=today + relativedelta(months=10),
        researcher="Forsker i demoen, Aalborg Universitetshospital (fiktiv)",
    )
    return created + 1


def _value(rng: random.Random, mean: float) -> int:
    return max(1, min(5, round(rng.gauss(mean, 0.7))))


# Last year's patients, whose peer support has ended: the aggregates are shown for ended
# years. Aalborg Øst's six are enough to show; Hjørring's and Frederikshavn's three each
# are not (and together they are enough for the programme's figure to hide neither).
_LAST_YEAR = [("Maria Sørensen", 6), ("Oliver Jakobsen", 3), ("Signe Haugaard", 3)]


def _last_year(
    today: datetime.date,
    instrument: Instrument,
    items: list[InstrumentItem],
    rng: random.Random,
) -> int:
    year = today.year - 1
    created = 0
    for name, count in _LAST_YEAR:
        peer = (
            PeerWorker.objects.filter(staff_member__name=name)
            .select_related("staff_member__unit")
            .first()
        )
        if peer is None:
            continue
        unit = peer.staff_member.unit
        for n in range(count):
            consented = datetime.date(year, 2, 2 + 3 * n)
            patient = Patient.objects.create(
                unit=unit,
                name=f"{chr(ord('K') + n)}.{chr(ord('A') + len(name) % 20)}.",
                reference=f"{unit.name.split()[-1][:2].upper()}-{year}-{n + 1:03d}",
                consent_date=consented,
                consent_given="orally",
                status="ended",
                ended_on=datetime.date(year, 12, 10),
            )
            patient.peers.add(peer)
            PatientConsent.objects.create(
                patient=patient,
                measure_on=consented,
                measure_how="orally",
                research=n % 2 == 0,
                research_on=consented,
            )
            level = rng.uniform(2.0, 3.0)
            points = [
                ("first", consented, level),
                ("m3", consented + datetime.timedelta(days=91), level + rng.uniform(0.0, 0.6)),
                ("m6", consented + datetime.timedelta(days=182), level + rng.uniform(0.3, 1.0)),
                ("end", datetime.date(year, 12, 5), level + rng.uniform(0.4, 1.2)),
            ]
            created += _measured(patient, peer, instrument, items, points, rng)
            created += 2
    return created


def _measured(
    patient: Patient,
    peer: PeerWorker,
    instrument: Instrument,
    items: list[InstrumentItem],
    points: list[tuple[str, datetime.date, float]],
    rng: random.Random,
) -> int:
    """Completed measurements at (timepoint, day, level): answers around the level (the
    reversed items the other way round), scored as the product scores them."""
    created = 0
    for timepoint, day, mean in points:
        values = {item.pk: _value(rng, 6 - mean if item.reversed else mean) for item in items}
        measurement = Measurement.objects.create(
            patient=patient,
            instrument=instrument,
            timepoint=timepoint,
            peer=peer,
            taken_on=day,
            status=Measurement.Status.DONE,
            score=score_of(instrument, items, values),
        )
        MeasurementAnswer.objects.bulk_create(
            MeasurementAnswer(measurement=measurement, item_id=pk, value=v)
            for pk, v in values.items()
        )
        created += 1 + len(values)
    return created
