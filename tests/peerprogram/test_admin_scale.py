"""The Django admin holds up at national scale, shown without a national database.

One generated programme per module (the scale seed, small but with more than 100 rows in
the tables people pick from) and every registered model's changelist, add and change page:
a bounded number of queries, the same number for 2 rows as for 10, and no <select> that
lists a whole table. A structural check covers the relations to tables the small programme
cannot make big (cohorts, groups, meetings).
"""

import datetime
import re

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.widgets import (
    AutocompleteSelect,
    AutocompleteSelectMultiple,
    ForeignKeyRawIdWidget,
    ManyToManyRawIdWidget,
    RelatedFieldWidgetWrapper,
)
from django.contrib.auth.models import Group, Permission, User
from django.db import connection
from django.forms import ModelChoiceField
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from education.models import (
    CalendarFeed,
    CohortModule,
    Course,
    ErfaGroup,
    MandatoryCourse,
    MeetingSeries,
    MentorModule,
    Module,
    TopicProposal,
)
from employment.models import (
    TEXT_FIELDS,
    FollowUpRhythm,
    FunctionDescription,
    FunctionTemplate,
    OutsideTask,
    Presentation,
    StaffQuestion,
)
from evaluation import models as evaluation
from journal.models import NoteAccess, ProgrammeFigures
from mentoring.models import ReminderSent
from peerprogram.demo import scale
from peerprogram.models import AuditEvent, PeerWorker, SignOn, StaffMember, Unit
from peerprogram.report.models import StoredYear
from peerprogram.report.services import programme_report_store
from programme.models import HealthRun, SignalAck
from programme.services import programme_health_store
from recruitment.models import Applicant, ChecklistTemplateItem, PostingTemplate, Vacancy
from tests.conftest import built_once

MAX_QUERIES = 25
MAX_OPTIONS = 100

# More than MAX_OPTIONS units, peer workers and staff; every table of the programme filled.
PROGRAMME = scale.Scale(
    name="admin",
    units=MAX_OPTIONS + 5,
    peers=MAX_OPTIONS + 5,
    staff=4 + 2 * (MAX_OPTIONS + 4) + 10,
    cohorts=10,
    applicants=MAX_OPTIONS + 20,
    patients=12,
    notes=24,
    centre_staff=4,
    leader_logins=1,
    peer_logins=1,
    mentor_logins=1,
    centre_logins=1,
    login_caseload=3,
)
A_DAY = datetime.date(2026, 3, 11)

# Tables that do not grow with the programme: a <select> of all their rows is fine.
BOUNDED = {
    Course,
    Module,
    MandatoryCourse,
    ChecklistTemplateItem,
    PostingTemplate,
    Group,
    FunctionTemplate,
}
TEXTS = dict.fromkeys(TEXT_FIELDS, "Tekst")
# Django's own user and group pages list every permission (a few per model, not per person).
PERMISSION_FIELDS = {"permissions", "user_permissions"}

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
MODEL_IDS = [model._meta.label for model, _model_admin in REGISTERED]


def _build_programme():
    """The generated programme plus rows of the tables the seed leaves empty, and an
    administrator."""
    scale.seed(PROGRAMME, today=A_DAY)
    users = list(User.objects.order_by("pk")[:12])
    staff = list(StaffMember.objects.order_by("pk")[:12])
    now = timezone.now()
    AuditEvent.objects.bulk_create(
        AuditEvent(actor=user, action="staff_change", object_type="staffmember", object_id=n)
        for n, user in enumerate(users)
    )
    CalendarFeed.objects.bulk_create(CalendarFeed(person=person) for person in staff)
    ReminderSent.objects.bulk_create(
        ReminderSent(kind="checkin", key=str(n), day=A_DAY, to=f"r{n}@example.org")
        for n in range(12)
    )
    Group.objects.bulk_create(Group(name=f"Gruppe {n}") for n in range(12))
    NoteAccess.objects.bulk_create(
        NoteAccess(user=user, who=user.username, patient_id=n, note_id=n, action="view")
        for n, user in enumerate(users)
    )
    sessions = list(CohortModule.objects.order_by("pk")[:12])
    MentorModule.objects.bulk_create(
        MentorModule(session=session, mentor=person)
        for session, person in zip(sessions, staff, strict=True)
    )
    # More erfa groups and series than the seed makes: copies under new names.
    for n, group in enumerate(list(ErfaGroup.objects.all()) * 6):
        group.pk, group.name = None, f"{group.name} {n}"
        group.save()
    for series in list(MeetingSeries.objects.all()) * 4:
        series.pk = None
        series.save()
    FunctionDescription.objects.bulk_create(
        FunctionDescription(
            peer=peer, number=1, review_on=A_DAY, contact_routes=["patient"], **TEXTS
        )
        for peer in PeerWorker.objects.order_by("pk")[:12]
    )
    FollowUpRhythm.objects.bulk_create(
        FollowUpRhythm(peer=peer) for peer in PeerWorker.objects.order_by("pk")[:12]
    )
    Presentation.objects.bulk_create(
        Presentation(peer=peer, text="Tekst") for peer in PeerWorker.objects.order_by("pk")[:12]
    )
    StaffQuestion.objects.bulk_create(
        StaffQuestion(question=f"Spørgsmål {n}", answer="Svar") for n in range(12)
    )
    OutsideTask.objects.bulk_create(
        OutsideTask(peer=peer, week=A_DAY, kind="care", hours=4)
        for peer in PeerWorker.objects.order_by("pk")[:12]
    )
    SignalAck.objects.bulk_create(
        SignalAck(peer=peer, kind="alone", comment="Buddy aftalt")
        for peer in PeerWorker.objects.order_by("pk")[:12]
    )
    TopicProposal.objects.bulk_create(
        TopicProposal(group=group, proposed_by=person, title=f"Emne {n}")
        for n, (group, person) in enumerate(zip(ErfaGroup.objects.all()[:12], staff, strict=True))
    )
    questionnaires = [
        evaluation.Questionnaire.objects.create(title=f"Spørgeskema {n}") for n in range(12)
    ]
    evaluation.Question.objects.bulk_create(
        evaluation.Question(questionnaire=q, text="Udsagn", kind="scale", theme="clarity")
        for q in questionnaires
    )
    rounds = [
        evaluation.SurveyRound.objects.create(
            questionnaire=q, title=f"Runde {n}", opens_on=A_DAY, closes_on=A_DAY
        )
        for n, q in enumerate(questionnaires)
    ]
    survey = rounds[0]
    for r in rounds:
        r.units.set(Unit.objects.order_by("pk")[:12])
    evaluation.Invitation.objects.bulk_create(
        evaluation.Invitation(
            round=survey, person=person, unit_id=person.unit_id, group="colleagues"
        )
        for person in staff
    )
    instruments = [
        evaluation.Instrument.objects.create(
            name=f"Instrument {n}",
            licence="Egen",
            min_label="Lav",
            max_label="Høj",
            timepoints=["first"],
        )
        for n in range(12)
    ]
    evaluation.InstrumentItem.objects.bulk_create(
        evaluation.InstrumentItem(instrument=i, text="Udsagn") for i in instruments
    )
    evaluation.PeerResearchConsent.objects.bulk_create(
        evaluation.PeerResearchConsent(peer=peer, research=True, research_on=A_DAY)
        for peer in PeerWorker.objects.order_by("pk")[:12]
    )
    projects = [
        evaluation.ResearchProject.objects.create(
            title=f"Projekt {n}",
            approval="X",
            starts_on=A_DAY,
            ends_on=A_DAY,
            researcher="Forsker",
        )
        for n in range(12)
    ]
    evaluation.ResearchExport.objects.bulk_create(
        evaluation.ResearchExport(project=p, who="x", patients=1, rows=1) for p in projects
    )
    SignOn.objects.bulk_create(
        SignOn(user=user, issuer="https://login.example/tenant", subject=f"sub-{user.pk}")
        for user in User.objects.filter(staff_member__isnull=False).order_by("pk")[:12]
    )
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        extra = {"get_data": "", "post_data": "", "failures_since_start": 1}
        model.objects.bulk_create(
            model(
                username=f"u{n}",
                ip_address="127.0.0.1",
                user_agent=f"agent {n}",
                http_accept="*/*",
                path_info="/login/",
                **(extra if model is AccessAttempt else {}),
            )
            for n in range(12)
        )
    # The daily run's reading of the programme, and earlier days' runs beside it.
    programme_health_store(A_DAY)
    HealthRun.objects.bulk_create(
        HealthRun(day=A_DAY - datetime.timedelta(days=n)) for n in range(1, 12)
    )
    # With it the programme's figures (today's only; earlier days' beside it here).
    kept = ProgrammeFigures.objects.get()
    ProgrammeFigures.objects.bulk_create(
        ProgrammeFigures(
            day=A_DAY - datetime.timedelta(days=n),
            level=kept.level,
            month_totals=kept.month_totals,
        )
        for n in range(1, 12)
    )
    # The daily run's programme report, and an earlier day's years beside it.
    stored = programme_report_store(A_DAY)
    StoredYear.objects.bulk_create(
        StoredYear(day=A_DAY - datetime.timedelta(days=1), year=row.year, figures=row.figures)
        for row in stored
    )
    superuser = User.objects.create_user(
        "admin-scale", password="x", is_staff=True, is_superuser=True, last_login=now
    )
    return superuser


@pytest.fixture(scope="module")
def programme(django_db_setup, django_db_blocker):
    """Built once for the module, rolled back at its end."""
    with built_once(django_db_blocker, _build_programme) as superuser:
        yield superuser


@pytest.fixture
def admin_client(programme, client, db):
    client.force_login(programme)
    return client


def _url(model, view, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def _biggest_selects(html):
    """(name, options) of each <select> on the page, largest first."""
    found = [
        (re.search(r'name="([^"]*)"', select).group(1), select.count("<option"))
        for select in re.findall(r"<select\b.*?</select>", html, re.S)
    ]
    return sorted(found, key=lambda pair: -pair[1])


def _get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, len(queries)


def _may_add(model_admin):
    request = RequestFactory().get("/")
    request.user = User(is_superuser=True, is_staff=True, is_active=True)
    return model_admin.has_add_permission(request)


def test_the_programme_has_more_rows_than_a_select_may_list(programme, db):
    for model in (User, Unit, StaffMember, PeerWorker, Applicant):
        assert model.objects.count() > MAX_OPTIONS, model
    assert Vacancy.objects.exists()


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=MODEL_IDS)
def test_every_admin_page_is_quick_and_lists_no_whole_table(admin_client, model, model_admin):
    urls = [_url(model, "changelist")]
    if _may_add(model_admin):
        urls.append(_url(model, "add"))
    one = model._default_manager.order_by("-pk").first()
    assert one is not None, "the programme has a row to open"
    urls.append(_url(model, "change", one.pk))
    for url in urls:
        response, queries = _get(admin_client, url)
        assert queries <= MAX_QUERIES, (url, queries)
        big = [
            (name, options)
            for name, options in _biggest_selects(response.content.decode())
            if options > MAX_OPTIONS and name not in PERMISSION_FIELDS
        ]
        assert big == [], url


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=MODEL_IDS)
def test_a_changelist_costs_as_many_queries_for_ten_rows_as_for_two(
    admin_client, model, model_admin
):
    pks = list(model._default_manager.order_by("pk").values_list("pk", flat=True)[:10])
    if model in BOUNDED and len(pks) < 3:
        pytest.skip("a fixed table with one or two rows")
    assert len(pks) >= 3 if model in BOUNDED else len(pks) == 10
    lookup = f"{model._meta.pk.attname}__in"
    url = _url(model, "changelist")
    # Both measured the same way: after the request that saves the new session.
    admin_client.get(url)
    two, two_queries = _get(admin_client, f"{url}?{lookup}={','.join(map(str, pks[:2]))}")
    ten, ten_queries = _get(admin_client, f"{url}?{lookup}={','.join(map(str, pks))}")
    # The rows were really shown: 2 and 10 of them.
    assert two.context["cl"].result_count == 2
    assert ten.context["cl"].result_count == len(pks)
    assert ten_queries == two_queries


def _choice_fields(model_admin, request):
    """(where, field name, form field) of every relation on the admin's forms, inlines too."""
    form = model_admin.get_form(request)
    for name, field in form.base_fields.items():
        yield model_admin.model._meta.label, name, field
    for inline in model_admin.get_inline_instances(request):
        formset = inline.get_formset(request)
        for name, field in formset.form.base_fields.items():
            if name == formset.fk.name:
                continue  # the row's parent: a hidden field
            yield f"{model_admin.model._meta.label} > {inline.model._meta.label}", name, field


SEARCH_WIDGETS = (
    AutocompleteSelect,
    AutocompleteSelectMultiple,
    ForeignKeyRawIdWidget,
    ManyToManyRawIdWidget,
)


def test_no_relation_to_a_growing_table_is_a_select():
    request = RequestFactory().get("/")
    request.user = User(is_superuser=True, is_staff=True, is_active=True)
    selects = []
    for _model, model_admin in REGISTERED:
        if not model_admin.has_change_permission(request) and not _may_add(model_admin):
            continue  # read only: relations are shown as text
        for where, name, field in _choice_fields(model_admin, request):
            if not isinstance(field, ModelChoiceField):
                continue
            widget = field.widget
            if isinstance(widget, RelatedFieldWidgetWrapper):
                widget = widget.widget
            target = field.queryset.model
            if isinstance(widget, SEARCH_WIDGETS) or target in BOUNDED:
                continue
            if target is Permission and name in PERMISSION_FIELDS:
                continue
            selects.append(f"{where}.{name} -> {target._meta.label}")
    assert selects == []


AUTOCOMPLETES = [
    (model, name) for model, model_admin in REGISTERED for name in model_admin.autocomplete_fields
]


@pytest.mark.parametrize(
    ("model", "field_name"),
    AUTOCOMPLETES,
    ids=[f"{model._meta.label}.{name}" for model, name in AUTOCOMPLETES],
)
def test_an_autocomplete_box_names_its_page_of_choices_in_a_few_queries(
    admin_client, model, field_name
):
    opts = model._meta
    url = reverse("admin:autocomplete")
    query = f"app_label={opts.app_label}&model_name={opts.model_name}&field_name={field_name}"
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(f"{url}?{query}&term=")
    assert response.status_code == 200
    results = response.json()["results"]
    assert results, "the box offers something"
    assert all(row["text"] for row in results)
    # Session, user, count, the page of rows: not a query for each row's name.
    assert len(queries) <= 8, [q["sql"][:120] for q in queries.captured_queries]
