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

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerprogram.models import StaffMember, Unit, VersionedModel, no_control_characters

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
