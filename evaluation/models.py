"""The implementation survey: the Centre's questionnaires, the rounds they are run in, the
invitations (who has answered) and the answers, which are stored without the person.

An answer (`Response`) holds the round, the unit and the group it came from and nothing
else: no person, no time, and a random id, so that neither its order nor its id ties it
to an invitation. Results are shown only for groups of at least `MIN_ANSWERS` answers and
only after the round has closed (selectors.results)."""

from __future__ import annotations

import datetime
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerprogram.models import (
    PeerWorker,
    StaffMember,
    Unit,
    VersionedModel,
    no_control_characters,
)

# Fewer answers than this in a group: "too few answers to show" (the rule).
MIN_ANSWERS = 5
SCALE = range(1, 6)


class Group(models.TextChoices):
    """Who a round asks: the guides' three groups."""

    PEERS = "peers", _("Peer workers")
    LEADERS = "leaders", _("Leaders")
    COLLEAGUES = "colleagues", _("Colleagues")


class Theme(models.TextChoices):
    """The themes of the Capital Region's implementation evaluation (DOMAIN.md)."""

    CLARITY = "clarity", _("Clarity of the function")
    COLLEAGUES = "colleagues", _("Collaboration with colleagues")
    GOALS = "goals", _("The leader's goals")
    REFERRALS = "referrals", _("Referrals")
    COMMUNITY = "community", _("Supervision and community")
    WELLBEING = "wellbeing", _("Wellbeing")
    OTHER = "other", _("Other")


class Questionnaire(VersionedModel):
    """The statements and questions a round asks. Once a round of it has opened it is
    not changed (the answers would no longer fit); the Centre copies it instead."""

    title = models.CharField(_("title"), max_length=200, validators=[no_control_characters])
    intro = models.TextField(
        _("introduction"),
        max_length=2000,
        blank=True,
        validators=[no_control_characters],
        help_text=_("Shown above the questions: why we ask, and how the answers are used."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [models.CheckConstraint(condition=~Q(title=""), name="questionnaire_title")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("evaluation:questionnaire_detail", args=[self.pk])


class Question(VersionedModel):
    class Kind(models.TextChoices):
        SCALE = "scale", _("Statement, answered 1–5")
        TEXT = "text", _("Free text")

    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("text"), max_length=300, validators=[no_control_characters])
    kind = models.CharField(_("answered as"), max_length=10, choices=Kind.choices)
    theme = models.CharField(_("theme"), max_length=20, choices=Theme.choices)
    for_peers = models.BooleanField(_("asked of peer workers"), default=True)
    for_leaders = models.BooleanField(_("asked of leaders"), default=True)
    for_colleagues = models.BooleanField(_("asked of colleagues"), default=True)

    class Meta:
        ordering = ["questionnaire", "order", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="question_text"),
            models.CheckConstraint(
                condition=Q(for_peers=True) | Q(for_leaders=True) | Q(for_colleagues=True),
                name="question_asked_of_someone",
                violation_error_message=_("Ask the question of at least one group."),
            ),
        ]

    def __str__(self) -> str:
        return self.text

    def asked_of(self, group: str) -> bool:
        return bool(getattr(self, f"for_{group}"))


class SurveyRound(VersionedModel):
    """One running of a questionnaire (e.g. spring 2027) for chosen units and groups."""

    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.PROTECT,
        related_name="rounds",
    )
    title = models.CharField(_("title"), max_length=100, validators=[no_control_characters])
    opens_on = models.DateField(_("opens"))
    closes_on = models.DateField(_("closes"), help_text=_("The last day to answer."))
    units = models.ManyToManyField(Unit, verbose_name=_("units"), related_name="+")
    ask_peers = models.BooleanField(_("peer workers"), default=True)
    ask_leaders = models.BooleanField(_("leaders"), default=True)
    ask_colleagues = models.BooleanField(_("colleagues (staff of the unit)"), default=True)
    invited_on = models.DateField(_("invitations sent"), null=True, blank=True)
    reminded_on = models.DateField(_("reminder sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-opens_on", "-pk"]
        verbose_name = _("survey round")
        verbose_name_plural = _("survey rounds")
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="round_title"),
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")),
                name="round_closes_after_it_opens",
                violation_error_message=_("The round must close on or after the day it opens."),
            ),
            models.CheckConstraint(
                condition=Q(ask_peers=True) | Q(ask_leaders=True) | Q(ask_colleagues=True),
                name="round_asks_someone",
                violation_error_message=_("Choose at least one group to ask."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("evaluation:round_detail", args=[self.pk])

    @property
    def groups(self) -> list[str]:
        return [g for g in Group.values if getattr(self, f"ask_{g}")]

    def is_open(self, today: datetime.date) -> bool:
        return self.opens_on <= today <= self.closes_on

    def is_closed(self, today: datetime.date) -> bool:
        return self.closes_on < today

    def has_opened(self, today: datetime.date) -> bool:
        return self.opens_on <= today


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    """A person asked in a round, with their personal link: the "has answered" record.
    It never points at the answer."""

    round = models.ForeignKey(
        SurveyRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="invitations"
    )
    person = models.ForeignKey(
        StaffMember, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    group = models.CharField(_("group"), max_length=12, choices=Group.choices)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    sent_on = models.DateField(_("sent"), null=True, blank=True)
    answered = models.BooleanField(_("has answered"), default=False)

    class Meta:
        ordering = ["round", "unit", "group", "pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="one_invitation_per_round")
        ]
        indexes = [models.Index(fields=["person", "answered"])]

    def __str__(self) -> str:
        return f"{self.round}: {self.person}"

    def get_absolute_url(self) -> str:
        return reverse("evaluation:answer", args=[self.token])


class Response(models.Model):
    """One person's answers to a round, without the person: the round, the unit and the
    group only. A random id, so its order says nothing of who answered when."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(
        SurveyRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="responses"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    group = models.CharField(_("group"), max_length=12, choices=Group.choices)

    class Meta:
        ordering = ["round", "unit", "group"]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        indexes = [models.Index(fields=["round", "unit", "group"])]

    def __str__(self) -> str:
        return f"{self.round}: {self.get_group_display()}, {self.unit}"


class Answer(models.Model):
    """The answer to one question: a score from 1 to 5, or a free text. A skipped
    question has no row."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(
        Response, verbose_name=_("answer"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="answers"
    )
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    text = models.TextField(
        _("text"), max_length=2000, blank=True, validators=[no_control_characters]
    )

    class Meta:
        ordering = ["question"]
        verbose_name = _("answer to a question")
        verbose_name_plural = _("answers to questions")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
                name="answer_score_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=False) | ~Q(text=""), name="answer_not_empty"
            ),
            models.UniqueConstraint(
                fields=["response", "question"], name="one_answer_per_question"
            ),
        ]

    def __str__(self) -> str:
        return str(self.question)


# Recovery outcomes measured with patients ---------------------------------------------


class Timepoint(models.TextChoices):
    """When an instrument is filled in with a patient (the issue's timepoints)."""

    FIRST = "first", _("First conversation")
    MONTH_3 = "m3", _("After 3 months")
    MONTH_6 = "m6", _("After 6 months")
    MONTH_12 = "m12", _("After 12 months")
    END = "end", _("When the peer support ends")


# How a consent was given (as the journal's consent to peer support).
CONSENT_HOW = [
    ("orally", _("Orally, to the peer worker")),
    ("writing", _("In writing")),
    ("staff", _("Orally, to another member of staff")),
]


class Instrument(VersionedModel):
    """An outcome measure the Centre has entered (for example a measure of personal
    recovery or of self-efficacy), with its items, answer scale, scoring and licence.
    Fixed once it has been used with a patient."""

    class Scoring(models.TextChoices):
        SUM = "sum", _("Sum of the items")
        MEAN = "mean", _("Mean of the items")

    name = models.CharField(_("name"), max_length=200, validators=[no_control_characters])
    description = models.TextField(
        _("what it measures"), max_length=2000, blank=True, validators=[no_control_characters]
    )
    licence = models.TextField(
        _("licence"),
        max_length=2000,
        validators=[no_control_characters],
        help_text=_(
            "Who holds the rights, and the permission the region has to use it. Enter a "
            "licensed instrument only when the licence allows it."
        ),
    )
    scale_min = models.SmallIntegerField(_("lowest answer"), default=1)
    scale_max = models.SmallIntegerField(_("highest answer"), default=5)
    min_label = models.CharField(
        _("the lowest answer means"), max_length=60, validators=[no_control_characters]
    )
    max_label = models.CharField(
        _("the highest answer means"), max_length=60, validators=[no_control_characters]
    )
    scoring = models.CharField(_("score"), max_length=4, choices=Scoring.choices, default="mean")
    timepoints = models.JSONField(_("timepoints"), default=list)
    active = models.BooleanField(
        _("in use"), default=True, help_text=_("Peer workers can start a measurement with it.")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("outcome instrument")
        verbose_name_plural = _("outcome instruments")
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="instrument_name"),
            models.CheckConstraint(
                condition=Q(scale_max__gt=models.F("scale_min"))
                & Q(scale_min__gte=0)
                & Q(scale_max__lte=10),
                name="instrument_scale",
                violation_error_message=_(
                    "The highest answer must be above the lowest, within 0 to 10."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("evaluation:instrument_detail", args=[self.pk])

    @property
    def scale(self) -> range:
        return range(self.scale_min, self.scale_max + 1)

    def timepoint_labels(self) -> list[str]:
        return [str(Timepoint(t).label) for t in Timepoint.values if t in self.timepoints]


class InstrumentItem(VersionedModel):
    instrument = models.ForeignKey(
        Instrument, verbose_name=_("instrument"), on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("text"), max_length=300, validators=[no_control_characters])
    reversed = models.BooleanField(
        _("reversed"), default=False, help_text=_("A high answer means less of what is measured.")
    )

    class Meta:
        ordering = ["instrument", "order", "pk"]
        verbose_name = _("instrument item")
        verbose_name_plural = _("instrument items")
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="item_text")]

    def __str__(self) -> str:
        return self.text


class PatientConsent(VersionedModel):
    """What a patient has agreed to beyond peer support: outcome measurement (the date and
    how), and being contacted about research (yes or no, and when it was said)."""

    patient = models.OneToOneField(
        "journal.Patient",
        verbose_name=_("patient"),
        on_delete=models.CASCADE,
        related_name="evaluation_consent",
    )
    measure_on = models.DateField(
        _("consent to outcome measurement given on"), null=True, blank=True
    )
    measure_how = models.CharField(
        _("how it was given"), max_length=20, choices=CONSENT_HOW, blank=True
    )
    research = models.BooleanField(_("may be contacted about research"), null=True, blank=True)
    research_on = models.DateField(_("answered on"), null=True, blank=True)

    class Meta:
        verbose_name = _("patient's consent to evaluation")
        verbose_name_plural = _("patients' consent to evaluation")
        constraints = [
            models.CheckConstraint(
                condition=Q(measure_on__isnull=True, measure_how="")
                | (Q(measure_on__isnull=False) & ~Q(measure_how="")),
                name="consent_measure_date_and_how",
                violation_error_message=_(
                    "Give both the date of the consent and how it was given."
                ),
            ),
            models.CheckConstraint(
                condition=Q(research__isnull=True, research_on__isnull=True)
                | Q(research__isnull=False, research_on__isnull=False),
                name="consent_research_answer_and_date",
                violation_error_message=_("Give both the answer about research and its date."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.patient)


class PeerResearchConsent(VersionedModel):
    """Whether a peer worker may be contacted about research (yes or no, and when)."""

    peer = models.OneToOneField(
        PeerWorker,
        verbose_name=_("peer worker"),
        on_delete=models.CASCADE,
        related_name="research_consent",
    )
    research = models.BooleanField(_("may be contacted about research"))
    research_on = models.DateField(_("answered on"))

    class Meta:
        verbose_name = _("peer worker's research consent")
        verbose_name_plural = _("peer workers' research consent")

    def __str__(self) -> str:
        return str(self.peer)


class Measurement(models.Model):
    """An instrument filled in with a patient at one timepoint. Its answers are patient
    data: only the peer workers on the patient's caseload read them, every read is
    logged, and they go with the patient (retention)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being filled in")
        DONE = "done", _("Done")

    patient = models.ForeignKey(
        "journal.Patient",
        verbose_name=_("patient"),
        on_delete=models.CASCADE,
        related_name="measurements",
    )
    instrument = models.ForeignKey(
        Instrument,
        verbose_name=_("instrument"),
        on_delete=models.PROTECT,
        related_name="measurements",
    )
    timepoint = models.CharField(_("timepoint"), max_length=5, choices=Timepoint.choices)
    peer = models.ForeignKey(
        PeerWorker,
        verbose_name=_("peer worker"),
        on_delete=models.PROTECT,
        related_name="measurements",
    )
    taken_on = models.DateField(_("filled in on"), default=timezone.localdate)
    status = models.CharField(_("status"), max_length=5, choices=Status.choices, default="draft")
    score = models.FloatField(_("score"), null=True, blank=True)

    class Meta:
        ordering = ["patient", "instrument", "taken_on", "pk"]
        verbose_name = _("outcome measurement")
        verbose_name_plural = _("outcome measurements")
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "instrument", "timepoint"],
                name="one_measurement_per_timepoint",
                violation_error_message=_(
                    "The patient already has this instrument at this timepoint."
                ),
            )
        ]
        indexes = [models.Index(fields=["instrument", "status", "timepoint"])]

    def __str__(self) -> str:
        return f"{self.instrument}, {self.get_timepoint_display()}"

    def get_absolute_url(self) -> str:
        return reverse("evaluation:measurement_fill", args=[self.pk])


class MeasurementAnswer(models.Model):
    """One item's answer; a skipped item has no row."""

    measurement = models.ForeignKey(
        Measurement, verbose_name=_("measurement"), on_delete=models.CASCADE, related_name="answers"
    )
    item = models.ForeignKey(
        InstrumentItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+"
    )
    value = models.SmallIntegerField(_("answer"))

    class Meta:
        ordering = ["measurement", "item"]
        verbose_name = _("outcome answer")
        verbose_name_plural = _("outcome answers")
        constraints = [
            models.UniqueConstraint(fields=["measurement", "item"], name="one_answer_per_item")
        ]

    def __str__(self) -> str:
        return str(self.value)


# Research -------------------------------------------------------------------------------


class ResearchProject(VersionedModel):
    """A research project the Centre has registered, for an export of pseudonymised
    outcome scores and activity counts of the patients who agreed to research."""

    title = models.CharField(_("title"), max_length=200, validators=[no_control_characters])
    approval = models.CharField(
        _("approval reference"),
        max_length=100,
        validators=[no_control_characters],
        help_text=_(
            "For example the research ethics committee's or the data authority's case number."
        ),
    )
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    researcher = models.CharField(
        _("responsible researcher"), max_length=200, validators=[no_control_characters]
    )
    # The key of the project's pseudonyms: the same patient has the same pseudonym in
    # every export of the project, and another in other projects.
    key = models.CharField(max_length=64, default=new_token, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "pk"]
        verbose_name = _("research project")
        verbose_name_plural = _("research projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="project_ends_after_it_starts",
                violation_error_message=_("The project must end on or after the day it starts."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("evaluation:project_detail", args=[self.pk])


class ResearchExport(models.Model):
    """Each export made for a project: when, by whom, how many patients."""

    project = models.ForeignKey(
        ResearchProject, verbose_name=_("project"), on_delete=models.PROTECT, related_name="exports"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    who = models.CharField(_("who"), max_length=200)
    at = models.DateTimeField(_("time"), default=timezone.now)
    patients = models.PositiveIntegerField(_("patients"))
    rows = models.PositiveIntegerField(_("rows"))

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("research export")
        verbose_name_plural = _("research exports")

    def __str__(self) -> str:
        return f"{self.project}: {self.at:%Y-%m-%d %H:%M}"
