"""Function descriptions: drafted from the Centre's template, agreed by leader and peer
worker, revised with the earlier revisions kept, fed into the checklist and the vacancy."""

import datetime
import subprocess

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from employment import selectors, services
from employment.models import FunctionDescription, proposed_review
from journal.models import PeerMonth
from peerprogram.models import AuditEvent
from recruitment import services as recruitment_services
from recruitment.models import DerivedFrom

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _form_data(**overrides):
    """A valid description as the form posts it."""
    data = {
        "purpose": "Støtte patienternes recovery.",
        "values": "Indflydelse, tillid, ordentlighed og professionalisme.",
        "hours_conversations": "10",
        "hours_groups": "4",
        "hours_bridge": "0",
        "hours_psychoeducation": "0",
        "hours_cafe": "0",
        "hours_meetings": "2",
        "hours_other": "0",
        "other_tasks": "",
        "not_tasks": "Medicin\nSygepleje",
        "criteria": "Patienter, der selv ønsker det.",
        "contact_routes": ["patient", "contact_person"],
        "referral_agreement": "Aftales på teammødet.",
        "review_on": (TODAY() + datetime.timedelta(days=90)).isoformat(),
        "version": "1",
    }
    data.update(overrides)
    return data


def _draft(cast, **changes):
    values = services.draft_start_values(cast.peer)
    values.update({"hours_conversations": 10, "contact_routes": ["patient"], **changes})
    return services.description_create(peer=cast.peer, by=cast.leader.user, **values)


def _agree_both(cast, description):
    services.description_agree(
        description=description,
        by=cast.leader.user,
        role="leader",
        expected_version=description.version,
    )
    services.description_agree(
        description=description,
        by=cast.peer.staff_member.user,
        role="peer",
        expected_version=description.version,
    )
    return description


def test_the_leader_drafts_from_the_centres_template(client_for, cast):
    client = client_for("leader")
    url = reverse("employment:description_create", args=[cast.peer.pk])
    page = client.get(url).content.decode()
    # The template the migrations ship, with the guide's four values.
    assert "indflydelse" in page.lower() and "ordentlighed" in page
    assert "anstændighed" not in page
    response = client.post(url, _form_data())
    description = FunctionDescription.objects.get(peer=cast.peer)
    assert response.status_code == 302
    assert response["Location"] == description.get_absolute_url()
    assert (description.number, description.total_hours) == (1, 16)
    assert description.contact_routes == ["patient", "contact_person"]
    assert not description.agreed
    assert AuditEvent.objects.filter(
        action="function_description_create", object_id=description.pk
    ).exists()


def test_every_error_shows_at_once_on_its_field_and_the_text_stays(client_for, cast):
    client = client_for("leader")
    url = reverse("employment:description_create", args=[cast.peer.pk])
    response = client.post(
        url,
        _form_data(
            hours_conversations="0",
            hours_groups="0",
            hours_meetings="0",
            hours_other="3",
            contact_routes=[],
            review_on=(TODAY() - datetime.timedelta(days=1)).isoformat(),
            criteria="Mine egne kriterier",
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"other_tasks", "contact_routes", "review_on"}
    assert errors["review_on"] == ["Datoen for gennemgang skal ligge efter i dag."]
    assert "Mine egne kriterier" in response.content.decode()
    assert not FunctionDescription.objects.exists()
    # No hours at all, and more hours than the employment has, are refused too.
    response = client.post(
        url, _form_data(hours_conversations="0", hours_groups="0", hours_meetings="0")
    )
    assert response.context["form"].errors["hours_conversations"] == [
        "Giv mindst én opgave sine timer om ugen."
    ]
    response = client.post(url, _form_data(hours_conversations="37"))
    assert (
        "mere end peermedarbejderens" in response.context["form"].errors["hours_conversations"][0]
    )


def test_both_agree_and_the_description_is_in_force(client_for, cast):
    description = _draft(cast)
    agree = reverse("employment:description_agree", args=[description.pk])
    client = client_for("leader")
    client.post(agree, {"version": description.version})
    description.refresh_from_db()
    assert description.leader_agreed_on == TODAY() and not description.agreed
    assert description.leader_agreed_by == cast.leader.user
    # The leader cannot agree for the peer worker a second time.
    assert client.post(agree, {"version": description.version}).status_code == 404
    client = client_for("peer")
    page = client.get(reverse("employment:function_page", args=[cast.peer.pk])).content.decode()
    assert "Godkend som peermedarbejder" in page
    client.post(agree, {"version": description.version})
    description.refresh_from_db()
    assert description.agreed and description.agreed_on == TODAY()
    revisions = selectors.revisions_of(cast.peer)
    assert revisions.in_force == description and revisions.draft is None
    # An agreed description is not changed any more.
    assert (
        client_for("leader")
        .get(reverse("employment:description_edit", args=[description.pk]))
        .status_code
        == 404
    )


def test_a_change_takes_back_the_agreements_and_a_stale_agreement_is_refused(client_for, cast):
    description = _draft(cast)
    opened_version = description.version
    services.description_agree(
        description=description,
        by=cast.peer.staff_member.user,
        role="peer",
        expected_version=opened_version,
    )
    client = client_for("leader")
    edit = reverse("employment:description_edit", args=[description.pk])
    client.post(edit, _form_data(version=str(description.version), hours_groups="6"))
    description.refresh_from_db()
    assert description.hours_groups == 6
    assert description.peer_agreed_on is None
    # The leader agrees to what they read before the change: refused, nothing recorded.
    response = client.post(
        reverse("employment:description_agree", args=[description.pk]),
        {"version": opened_version},
        follow=True,
    )
    assert "blev ændret, efter du åbnede det" in response.content.decode()
    description.refresh_from_db()
    assert description.leader_agreed_on is None


def test_a_revision_keeps_the_one_in_force_until_both_agree(client_for, cast):
    first = _agree_both(cast, _draft(cast, not_tasks="Medicin"))
    client = client_for("leader")
    url = reverse("employment:description_create", args=[cast.peer.pk])
    # The revision starts from the description in force.
    assert "Medicin" in client.get(url).content.decode()
    client.post(url, _form_data(hours_conversations="12"))
    revisions = selectors.revisions_of(cast.peer)
    assert revisions.in_force == first
    assert revisions.draft.number == 2 and revisions.draft.hours_conversations == 12
    # Only one draft at a time.
    with pytest.raises(ValidationError):
        _draft(cast)
    _agree_both(cast, revisions.draft)
    revisions = selectors.revisions_of(cast.peer)
    assert revisions.in_force.number == 2 and revisions.earlier == [first]
    page = client.get(reverse("employment:function_page", args=[cast.peer.pk])).content.decode()
    assert reverse("employment:description_detail", args=[first.pk]) in page
    # The earlier revision stays readable, as it was agreed.
    old = client.get(reverse("employment:description_detail", args=[first.pk]))
    assert old.status_code == 200 and "Medicin" in old.content.decode()


def test_review_dates_follow_the_guides_rhythm(cast):
    peer = cast.peer
    today = TODAY()
    peer.start_date = today - relativedelta(months=1)
    assert proposed_review(peer, today) == peer.start_date + relativedelta(months=3)
    peer.start_date = today - relativedelta(months=5)
    assert proposed_review(peer, today) == peer.start_date + relativedelta(months=12)
    peer.start_date = today - relativedelta(years=3)
    assert proposed_review(peer, today) == today + relativedelta(years=1)


def test_who_may_read_write_and_agree(client_for, cast):
    description = _draft(cast)
    edit = reverse("employment:description_edit", args=[description.pk])
    detail = reverse("employment:description_detail", args=[description.pk])
    assert client_for("mentor").get(detail).status_code == 200
    assert client_for("mentor").get(edit).status_code == 404
    assert client_for("peer").get(edit).status_code == 404
    assert client_for("outsider").get(detail).status_code == 404
    assert client_for("centre").get(edit).status_code == 200
    agree = reverse("employment:description_agree", args=[description.pk])
    assert client_for("centre").post(agree, {"version": description.version}).status_code == 404
    description.refresh_from_db()
    assert description.leader_agreed_on is None


def test_the_centre_edits_the_template_and_a_stale_form_is_refused(client_for, cast):
    template = services.template_current()
    url = reverse("employment:template_edit")
    client = client_for("centre")
    data = {
        "purpose": "Nyt formål",
        "values": template.values,
        "not_tasks": template.not_tasks,
        "criteria": template.criteria,
        "referral_agreement": template.referral_agreement,
        "version": template.version,
    }
    assert client.post(url, data).status_code == 302
    assert services.template_current().purpose == "Nyt formål"
    stale = client.post(url, {**data, "purpose": "Et andet formål"})
    assert stale.status_code == 200 and "En anden har gemt" in stale.content.decode()
    assert services.template_current().purpose == "Nyt formål"
    assert client_for("leader").get(url).status_code == 404


def test_the_team_gets_a_danish_pdf(client_for, cast, tmp_path):
    description = _agree_both(cast, _draft(cast))
    response = client_for("mentor").get(
        reverse("employment:description_pdf", args=[description.pk])
    )
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "f.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Funktionsbeskrivelse: Pia Peer" in text
    assert "ordentlighed" in text.lower() and "Individuelle samtaler" in text
    assert "Side 1 af" in text


def test_the_checklist_task_is_done_when_both_have_agreed(client_for, cast):
    onboarding = recruitment_services.onboarding_create(unit=cast.unit, peer=cast.peer)
    item = onboarding.items.get(derived_from=DerivedFrom.FUNCTION_AGREED)
    assert "ordentlighed" in item.description and item.guide_reference == "Lederguiden s. 22"
    checklist = reverse("recruitment:checklist", args=[onboarding.pk])
    page = client_for("leader").get(checklist).content.decode()
    assert reverse("employment:function_page", args=[cast.peer.pk]) in page
    _agree_both(cast, _draft(cast))
    page = client_for("leader").get(checklist).content.decode()
    assert f"Udført {TODAY():%d.%m.%Y}" in page


def test_a_vacancy_starts_from_the_description(client_for, cast):
    description = _agree_both(cast, _draft(cast, hours_groups=5, not_tasks="Medicin"))
    client = client_for("leader")
    url = reverse("recruitment:vacancy_create") + f"?function={description.pk}"
    form = client.get(url).context["form"]
    assert form.initial["hours_per_week"] == cast.peer.hours_per_week
    assert form.initial["unit"] == cast.unit
    response = client.post(
        url,
        {
            "unit": cast.unit.pk,
            "title": "Peermedarbejder",
            "hours_per_week": cast.peer.hours_per_week,
            "employment_form": "permanent",
            "planned_start_date": (TODAY() + datetime.timedelta(days=60)).isoformat(),
            "application_deadline": (TODAY() + datetime.timedelta(days=20)).isoformat(),
            "contact_person": cast.leader.pk,
            "version": 1,
        },
    )
    assert response.status_code == 302
    vacancy = cast.unit.vacancies.get()
    assert "Individuelle samtaler, ca. 10 timer om ugen" in vacancy.posting_text
    assert "Opgaver, du ikke skal løse:\n- Medicin" in vacancy.posting_text
    # A description out of the user's reach is ignored, not shown.
    other = client_for("outsider").get(url)
    assert other.context["start_from"] is None


def test_recorded_activity_is_set_against_the_described_tasks(client_for, cast):
    description = _agree_both(
        cast, _draft(cast, hours_conversations=10, hours_groups=5, hours_meetings=5)
    )
    last_month = TODAY().replace(day=1) - relativedelta(months=1)
    PeerMonth.objects.create(
        peer=cast.peer, month=last_month, conversations=6, group_sessions=2, other=2, notes=8
    )
    # This month is not over: not counted.
    PeerMonth.objects.create(peer=cast.peer, month=TODAY().replace(day=1), conversations=50)
    mix = selectors.activity_against(description)
    assert mix.recorded_total == 10
    shares = {row.label: (row.planned_share, row.recorded_share) for row in mix.rows}
    assert shares == {
        "Individuelle samtaler": (50, 60),
        "Grupper": (25, 20),
        "Brobygning": (0, 0),
        "Andre peeraktiviteter": (25, 20),
    }
    page = client_for("leader").get(reverse("employment:function_page", args=[cast.peer.pk]))
    assert "+10" in page.content.decode()


def test_the_function_page_reads_a_fixed_number_of_queries(
    client_for, cast, django_assert_num_queries
):
    for _ in range(2):
        _agree_both(cast, _draft(cast))
    client = client_for("leader")
    url = reverse("employment:function_page", args=[cast.peer.pk])
    client.get(url)
    # Session, user, actor, peer, every revision, the activity counts (the session is not
    # written back: the request before saved it). Two revisions or ten, the same.
    with django_assert_num_queries(6):
        client.get(url)
