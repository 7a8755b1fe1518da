"""Writes of the implementation survey: questionnaires, rounds, invitations and answers.

Answering writes no audit row: an audit row names the person and the moment, which is
what the answer is stored without."""

from __future__ import annotations

import dataclasses
import datetime
import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from peerprogram.models import Unit
from peerprogram.services import ConcurrentEditError, audit, save_versioned

from . import selectors
from .models import Answer, Invitation, Question, Questionnaire, Response, SurveyRound

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

QUESTION_FIELDS = ("order", "text", "kind", "theme", "for_peers", "for_leaders", "for_colleagues")


@dataclasses.dataclass
class QuestionEdits:
    """What a save of a questionnaire's questions adds, changes and removes; each changed
    or removed question with the version it was opened at (None: as it was read)."""

    added: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    changed: list[tuple[Question, int | None, dict[str, Any]]] = dataclasses.field(
        default_factory=list
    )
    removed: list[tuple[Question, int | None]] = dataclasses.field(default_factory=list)


def _refuse_if_in_use(questionnaire: Questionnaire, today: datetime.date) -> None:
    if questionnaire.rounds.filter(opens_on__lte=today).exists():
        raise ValidationError(
            _(
                "A round of this questionnaire has opened, so its questions can no longer "
                "change (the answers would not fit them). Make a copy and change that."
            )
        )


@transaction.atomic
def questionnaire_save(
    *,
    questionnaire: Questionnaire | None,
    by: User,
    expected_version: int | None,
    title: str,
    intro: str,
    edits: QuestionEdits,
) -> Questionnaire:
    """A new questionnaire, or one changed with its questions, all or nothing: refused
    once a round of it has opened, and (ConcurrentEditError) if someone saved it or one
    of the changed questions since it was opened."""
    today = timezone.localdate()
    if questionnaire is None:
        questionnaire = Questionnaire(title=title, intro=intro)
        questionnaire.full_clean()
        questionnaire.save()
        audit(by=by, action="questionnaire_create", obj=questionnaire, summary=title)
    else:
        _refuse_if_in_use(questionnaire, today)
        expected = questionnaire.version if expected_version is None else expected_version
        summary = save_versioned(
            questionnaire, expected_version=expected, changes={"title": title, "intro": intro}
        )
        audit(by=by, action="questionnaire_save", obj=questionnaire, summary=summary)
    for question, version, values in edits.changed:
        expected = question.version if version is None else version
        summary = save_versioned(question, expected_version=expected, changes=values)
        audit(by=by, action="question_save", obj=question, summary=summary)
    for question, version in edits.removed:
        expected = question.version if version is None else version
        removed, _by_model = Question.objects.filter(pk=question.pk, version=expected).delete()
        if not removed:
            raise ConcurrentEditError
        audit(by=by, action="question_delete", obj=question)
    for values in edits.added:
        question = Question(questionnaire=questionnaire, **values)
        question.full_clean()
        question.save()
        audit(by=by, action="question_save", obj=question, summary=question.text)
    if not questionnaire.questions.exists():
        raise ValidationError(_("Give the questionnaire at least one question."))
    return questionnaire


@transaction.atomic
def questionnaire_copy(*, questionnaire: Questionnaire, by: User) -> Questionnaire:
    """A copy to change, when the original has been used by a round."""
    copy = Questionnaire(
        title=_("Copy of %(title)s") % {"title": questionnaire.title}, intro=questionnaire.intro
    )
    copy.full_clean()
    copy.save()
    Question.objects.bulk_create(
        Question(questionnaire=copy, **{name: getattr(q, name) for name in QUESTION_FIELDS})
        for q in questionnaire.questions.all()
    )
    audit(by=by, action="questionnaire_copy", obj=copy, summary=str(questionnaire.pk))
    return copy


ROUND_FIELDS = (
    "questionnaire",
    "title",
    "opens_on",
    "closes_on",
    "ask_peers",
    "ask_leaders",
    "ask_colleagues",
)


@transaction.atomic
def round_save(
    *,
    survey: SurveyRound | None,
    by: User,
    expected_version: int | None,
    units: list[Unit],
    **values: Any,
) -> SurveyRound:
    """A new round, or one changed. Once it has opened only its title and last day
    change (the invitations are out); a round is not moved into the past."""
    today = timezone.localdate()
    if survey is not None and survey.has_opened(today):
        fixed = {name for name in ROUND_FIELDS if name not in ("title", "closes_on")}
        values = {k: v for k, v in values.items() if k not in fixed}
        units = list(survey.units.all())
    if values.get("closes_on") and values["closes_on"] < today:
        raise ValidationError({"closes_on": _("The last day to answer cannot be in the past.")})
    if not units:
        raise ValidationError({"units": _("Choose at least one unit.")})
    if survey is None:
        survey = SurveyRound(**values)
        survey.full_clean()
        survey.save()
        audit(by=by, action="survey_round_create", obj=survey, summary=survey.title)
    else:
        expected = survey.version if expected_version is None else expected_version
        summary = save_versioned(survey, expected_version=expected, changes=values)
        audit(by=by, action="survey_round_save", obj=survey, summary=summary)
    survey.units.set(units)
    return survey


def _invitation_mail(invitation: Invitation, link: str, reminder: bool) -> tuple[str, str]:
    survey = invitation.round
    with translation.override(invitation.person.language):
        subject = (
            _("Reminder: %(round)s") if reminder else _("Your answers are wanted: %(round)s")
        ) % {"round": survey.title}
        body = _(
            "Dear %(name)s,\n\n"
            "The Center for Recovery og Samskabelse asks peer workers, leaders and colleagues "
            "how peer support works in the units. You are asked as one of the %(group)s of "
            "%(unit)s.\n\n"
            "Answer here, by %(day)s (it takes about 5 minutes):\n%(link)s\n\n"
            "Your answers are stored without your name, and results are only shown for "
            "groups of at least 5 answers. The link is personal: do not pass it on.\n"
        ) % {
            "name": invitation.person.name,
            "group": invitation.get_group_display().lower(),
            "unit": invitation.unit.name,
            "day": date_format(survey.closes_on, "DATE_FORMAT"),
            "link": link,
        }
    return subject, body


def _send(invitation: Invitation, link: str, *, reminder: bool) -> bool:
    subject, body = _invitation_mail(invitation, link, reminder)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.person.email])
    except OSError as exc:  # SMTP trouble: the next click tries again
        logger.error("Survey invitation %s failed: %s", invitation.pk, exc)
        return False
    return True


@dataclasses.dataclass
class Sent:
    sent: int = 0
    failed: int = 0


def invitations_send(*, survey: SurveyRound, by: User, link_for: Any) -> Sent:
    """Invite everyone the round asks who has no invitation yet (people who joined a
    unit later are invited by sending again), and send the invitations not sent before.
    Only while the round is open. `link_for(token)`: the absolute address of the
    personal link."""
    today = timezone.localdate()
    if not survey.is_open(today):
        raise ValidationError(_("Invitations are sent while the round is open."))
    with transaction.atomic():
        invited = set(survey.invitations.values_list("person_id", flat=True))
        Invitation.objects.bulk_create(
            [
                Invitation(round=survey, person=a.person, unit_id=a.unit_id, group=a.group)
                for a in selectors.asked(survey, today)
                if a.person.pk not in invited
            ],
            ignore_conflicts=True,
        )
        SurveyRound.objects.filter(pk=survey.pk).update(invited_on=today)
        survey.invited_on = today
        audit(by=by, action="survey_invite", obj=survey)
    result = Sent()
    waiting = survey.invitations.filter(sent_on__isnull=True).select_related(
        "person", "unit", "round"
    )
    for invitation in waiting:
        if _send(invitation, link_for(invitation.token), reminder=False):
            Invitation.objects.filter(pk=invitation.pk).update(sent_on=today)
            result.sent += 1
        else:
            result.failed += 1
    return result


def reminders_send(*, survey: SurveyRound, by: User, link_for: Any) -> Sent:
    """A reminder to everyone invited who has not answered, while the round is open."""
    today = timezone.localdate()
    if not survey.is_open(today):
        raise ValidationError(_("Reminders are sent while the round is open."))
    result = Sent()
    waiting = survey.invitations.filter(answered=False, sent_on__isnull=False).select_related(
        "person", "unit", "round"
    )
    for invitation in waiting:
        if _send(invitation, link_for(invitation.token), reminder=True):
            result.sent += 1
        else:
            result.failed += 1
    SurveyRound.objects.filter(pk=survey.pk).update(reminded_on=today)
    survey.reminded_on = today
    audit(by=by, action="survey_remind", obj=survey, summary=str(result.sent))
    return result


@transaction.atomic
def response_submit(
    *, invitation: Invitation, scores: dict[int, int], texts: dict[int, str]
) -> None:
    """One person's answers, stored without the person, and their invitation marked as
    answered: once per person and round, only while the round is open. A question left
    empty is skipped."""
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    survey = invitation.round
    if not survey.is_open(timezone.localdate()):
        raise ValidationError(_("The round has closed: answers are no longer taken."))
    if locked.answered:
        raise ValidationError(_("You have already answered this round. Thank you."))
    questions = {q.pk: q for q in survey.questionnaire.questions.all() if q.asked_of(locked.group)}
    response = Response.objects.create(round=survey, unit_id=locked.unit_id, group=locked.group)
    answers = [
        Answer(response=response, question=questions[pk], score=score)
        for pk, score in scores.items()
        if pk in questions and questions[pk].kind == Question.Kind.SCALE
    ] + [
        Answer(response=response, question=questions[pk], text=text.strip())
        for pk, text in texts.items()
        if pk in questions and questions[pk].kind == Question.Kind.TEXT and text.strip()
    ]
    for answer in answers:
        answer.full_clean(exclude=["response", "question"])
    Answer.objects.bulk_create(answers)
    Invitation.objects.filter(pk=locked.pk).update(answered=True)
    invitation.answered = True
