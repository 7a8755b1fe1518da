"""The demo's implementation survey: two closed rounds of the starter questionnaire a
half-year apart (the second a little better on the function and the leaders' goals), and a
round open now that the demo logins have not answered yet. Every unit but the Centre is
asked; most units are too small to show on their own."""

from __future__ import annotations

import datetime
import random

from dateutil.relativedelta import relativedelta

from evaluation import selectors
from evaluation.models import Answer, Invitation, Question, Questionnaire, Response, SurveyRound
from peerprogram.models import Unit

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
    ],
    "Hvad skal laves om?": [
        "Vi skal blive bedre til at henvise tidligt i forløbet.",
        "Funktionsbeskrivelsen skal gennemgås igen, nu hvor opgaverne er vokset.",
        "Flere peermedarbejdere, så man ikke står alene.",
        "Mere tid til supervision.",
        "Nye kolleger kender ikke tilbuddet.",
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
    """Invitations for everyone asked on the opening day; about nine in ten answered."""
    created = 0
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
            elif rng.random() < 0.3:
                text = rng.choice(_TEXTS.get(question.text, ["Ingen bemærkninger."]))
                answers.append(Answer(response=response, question=question, text=text))
        Answer.objects.bulk_create(answers)
        created += 1 + len(answers)
    return created
