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
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from journal.models import Patient
from peerprogram.models import PeerWorker, Unit
from peerprogram.services import (
    RowEdits,
    audit,
    create_or_save_versioned,
    rows_save,
    save_versioned,
)

from . import selectors
from .models import (
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
    ResearchExport,
    ResearchProject,
    Response,
    SurveyRound,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

QUESTION_FIELDS = ("order", "text", "kind", "theme", "for_peers", "for_leaders", "for_colleagues")


ITEM_FIELDS = ("order", "text", "reversed")


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
    edits: RowEdits,
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
    rows_save(Question, edits, by=by, action="question", parent={"questionnaire": questionnaire})
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
    if survey is not None and survey.is_closed(today):
        raise ValidationError(
            _(
                "The round has closed and its results are out: it is not opened again "
                "(results before and after would tell the answers given in between). "
                "Start a new round instead."
            )
        )
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


def invitations_send(*, survey: SurveyRound, by: User | None, link_for: Any) -> Sent:
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
        if survey.invited_on is None:
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


def reminders_send(*, survey: SurveyRound, by: User | None, link_for: Any) -> Sent:
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


# Recovery outcomes ---------------------------------------------------------------------

INSTRUMENT_FIELDS = (
    "name",
    "description",
    "licence",
    "scale_min",
    "scale_max",
    "min_label",
    "max_label",
    "scoring",
    "timepoints",
    "active",
)
# Once used, only these change: whether peer workers may start it, and the licence note.
INSTRUMENT_FIELDS_WHEN_USED = ("active", "licence", "description")


@transaction.atomic
def instrument_save(
    *,
    instrument: Instrument | None,
    by: User,
    expected_version: int | None,
    fields: dict[str, Any],
    edits: RowEdits,
) -> Instrument:
    """A new instrument, or one changed with its items, all or nothing. Once it has been
    used with a patient, its items, scale and scoring stay (the scores would no longer
    compare); whether it is in use, its description and licence note still change."""
    if instrument is not None and instrument.measurements.exists():
        # Compared with the stored row: the form has put the posted values on `instrument`.
        stored = Instrument.objects.get(pk=instrument.pk)
        fixed = {k: v for k, v in fields.items() if k not in INSTRUMENT_FIELDS_WHEN_USED}
        if (
            edits.added
            or edits.changed
            or edits.removed
            or any(getattr(stored, k) != v for k, v in fixed.items())
        ):
            raise ValidationError(
                _(
                    "The instrument has been used with patients, so its items, scale and "
                    "scoring can no longer change. Enter a new instrument instead."
                )
            )
        fields = {k: v for k, v in fields.items() if k in INSTRUMENT_FIELDS_WHEN_USED}
    if not fields.get("timepoints", True):
        raise ValidationError({"timepoints": _("Choose at least one timepoint.")})
    if instrument is None:
        instrument = Instrument(**fields)
        instrument.full_clean()
        instrument.save()
        audit(by=by, action="instrument_create", obj=instrument, summary=instrument.name)
    else:
        expected = instrument.version if expected_version is None else expected_version
        summary = save_versioned(instrument, expected_version=expected, changes=fields)
        audit(by=by, action="instrument_save", obj=instrument, summary=summary)
    rows_save(InstrumentItem, edits, by=by, action="item", parent={"instrument": instrument})
    if not instrument.items.exists():
        raise ValidationError(_("Give the instrument at least one item."))
    return instrument


@transaction.atomic
def consent_save(
    *, patient: Patient, by: User, expected_version: int | None, **values: Any
) -> PatientConsent:
    """The patient's consent to outcome measurement and their answer about research."""
    consent = PatientConsent.objects.filter(patient=patient).first()
    if values.get("research") is None:
        values["research_on"] = None
    consent, summary = create_or_save_versioned(
        PatientConsent,
        consent,
        expected_version=expected_version,
        fields={"patient": patient, **values} if consent is None else values,
    )
    audit(by=by, action="patient_consent_save", obj=consent, summary=summary)
    return consent


@transaction.atomic
def peer_research_save(
    *, peer: PeerWorker, by: User, expected_version: int | None, research: bool, research_on: Any
) -> PeerResearchConsent:
    consent = PeerResearchConsent.objects.filter(peer=peer).first()
    values = {"research": research, "research_on": research_on}
    consent, summary = create_or_save_versioned(
        PeerResearchConsent,
        consent,
        expected_version=expected_version,
        fields={"peer": peer, **values} if consent is None else values,
    )
    audit(by=by, action="peer_research_save", obj=consent, summary=summary)
    return consent


@transaction.atomic
def measurement_start(
    *, patient: Patient, instrument: Instrument, timepoint: str, peer: PeerWorker, by: User
) -> Measurement:
    """A measurement to fill in with the patient: only with their consent recorded, an
    instrument in use at one of its timepoints, once per timepoint."""
    consent = PatientConsent.objects.filter(patient=patient).first()
    if consent is None or consent.measure_on is None:
        raise ValidationError(
            _("Record the patient's consent to outcome measurement first (the date and how).")
        )
    if not instrument.active:
        raise ValidationError({"instrument": _("This instrument is no longer in use.")})
    if timepoint not in instrument.timepoints:
        raise ValidationError(
            {"timepoint": _("The instrument is not filled in at this timepoint.")}
        )
    if not instrument.items.exists():
        raise ValidationError({"instrument": _("The instrument has no items yet.")})
    taken = _("The patient already has this instrument at this timepoint.")
    if Measurement.objects.filter(
        patient=patient, instrument=instrument, timepoint=timepoint
    ).exists():
        raise ValidationError({"timepoint": taken})
    try:
        with transaction.atomic():
            measurement = Measurement.objects.create(
                patient=patient, instrument=instrument, timepoint=timepoint, peer=peer
            )
    except IntegrityError:  # "Start" clicked twice at once
        raise ValidationError({"timepoint": taken}) from None
    audit(by=by, action="measurement_start", obj=measurement, summary=str(patient.pk))
    return measurement


def _draft(measurement: Measurement) -> Measurement:
    locked = Measurement.objects.select_for_update().get(pk=measurement.pk)
    if locked.status != Measurement.Status.DRAFT:
        raise ValidationError(_("The measurement is done: its answers no longer change."))
    return locked


@transaction.atomic
def measurement_answer(
    *, measurement: Measurement, item: InstrumentItem, value: int | None
) -> None:
    """The patient's answer to one item, or none (skipped)."""
    _draft(measurement)
    if item.instrument_id != measurement.instrument_id:
        raise ValidationError(_("The item is not one of the instrument's."))
    if value is None:
        MeasurementAnswer.objects.filter(measurement=measurement, item=item).delete()
        return
    if value not in measurement.instrument.scale:
        raise ValidationError(_("The answer is outside the instrument's scale."))
    MeasurementAnswer.objects.update_or_create(
        measurement=measurement, item=item, defaults={"value": value}
    )


def score_of(
    instrument: Instrument, items: list[InstrumentItem], values: dict[int, int]
) -> float | None:
    """The score: reversed items turned round, then the mean of the items answered, or
    (scored as a sum) that mean times the number of items. At least half the items must
    be answered, or there is no score."""
    answered = [
        instrument.scale_min + instrument.scale_max - values[i.pk] if i.reversed else values[i.pk]
        for i in items
        if i.pk in values
    ]
    if not items or len(answered) * 2 < len(items):
        return None
    mean = sum(answered) / len(answered)
    return mean * len(items) if instrument.scoring == Instrument.Scoring.SUM else mean


@transaction.atomic
def measurement_finish(*, measurement: Measurement, by: User) -> Measurement:
    locked = _draft(measurement)
    items = list(locked.instrument.items.all())
    values = dict(locked.answers.values_list("item_id", "value"))
    locked.score = score_of(locked.instrument, items, values)
    locked.status = Measurement.Status.DONE
    locked.taken_on = timezone.localdate()
    locked.save(update_fields=["score", "status", "taken_on"])
    audit(by=by, action="measurement_finish", obj=locked, summary=str(locked.patient_id))
    return locked


@transaction.atomic
def measurement_discard(*, measurement: Measurement, by: User) -> None:
    locked = _draft(measurement)
    audit(by=by, action="measurement_discard", obj=locked, summary=str(locked.patient_id))
    locked.delete()


# Research --------------------------------------------------------------------------------


@transaction.atomic
def project_save(
    *, project: ResearchProject | None, by: User, expected_version: int | None, **fields: Any
) -> ResearchProject:
    project, summary = create_or_save_versioned(
        ResearchProject, project, expected_version=expected_version, fields=fields
    )
    audit(by=by, action="research_project_save", obj=project, summary=summary)
    return project


@transaction.atomic
def research_export_log(
    *, project: ResearchProject, by: User, patients: int, rows: int
) -> ResearchExport:
    """Every export for a project is recorded: who, when, how many patients and rows."""
    who = getattr(getattr(by, "staff_member", None), "name", "") or by.get_username()
    export = ResearchExport.objects.create(
        project=project, by=by, who=who, patients=patients, rows=rows
    )
    audit(by=by, action="research_export", obj=project, summary=f"{patients}/{rows}")
    return export
