import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from mentoring.services import mentor_assign
from recruitment import services
from recruitment.models import Applicant, Onboarding, PostingTemplate, Vacancy
from tests.factories import PeerWorkerFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def test_leader_opens_a_vacancy_with_a_drafted_posting(client_for, cast):
    response = client_for("leader").post(
        reverse("recruitment:vacancy_create"),
        {
            "unit": cast.unit.pk,
            "title": "Peermedarbejder",
            "hours_per_week": "30",
            "employment_form": "permanent",
            "contact_person": cast.leader.pk,
            "application_deadline": (TODAY() + datetime.timedelta(days=10)).isoformat(),
            "planned_start_date": (TODAY() + datetime.timedelta(days=40)).isoformat(),
            "version": 1,
        },
    )
    vacancy = Vacancy.objects.get()
    assert response["Location"] == vacancy.get_absolute_url()
    assert "30 timer om ugen" in vacancy.posting_text
    assert vacancy.status == "draft"


def test_vacancy_form_refuses_a_past_deadline_and_keeps_the_title(client_for, cast):
    response = client_for("leader", "en").post(
        reverse("recruitment:vacancy_create"),
        {
            "unit": cast.unit.pk,
            "title": "Min titel",
            "hours_per_week": "40",
            "employment_form": "permanent",
            "contact_person": cast.leader.pk,
            "application_deadline": (TODAY() - datetime.timedelta(days=1)).isoformat(),
            "planned_start_date": TODAY().isoformat(),
            "version": 1,
        },
    )
    errors = response.context["form"].errors
    assert errors["hours_per_week"] == ["Hours per week must be between 1 and 37."]
    assert 'value="Min titel"' in response.content.decode()
    assert not Vacancy.objects.exists()


def test_vacancy_page_names_the_empty_recommended_seats(client_for, cast, vacancy):
    content = client_for("leader", "en").get(vacancy.get_absolute_url()).content.decode()
    assert "Recommended seats still empty: Peer worker from another unit." in content


def test_an_outsider_leader_cannot_see_another_units_applicants(client_for, vacancy, applicant):
    client = client_for("outsider")
    assert client.get(reverse("recruitment:applicant_board", args=[vacancy.pk])).status_code == 404
    assert client.get(applicant.get_absolute_url()).status_code == 404


def test_a_peer_worker_cannot_see_applicants_at_all(client_for, vacancy, applicant):
    client = client_for("peer")
    assert client.get(reverse("recruitment:applicant_board", args=[vacancy.pk])).status_code == 404
    assert client.get(applicant.get_absolute_url()).status_code == 404
    assert list(client.get(reverse("recruitment:vacancy_list")).context["page"]) == []


def test_a_peer_worker_on_the_committee_sees_the_applicants(client_for, cast, vacancy, applicant):
    services.committee_add(
        vacancy=vacancy, by=cast.leader.user, staff_member=cast.other_peer.staff_member, seat="peer"
    )
    from tests.factories import UserFactory

    cast.other_peer.staff_member.user = UserFactory(username="otherpeer")
    cast.other_peer.staff_member.save()
    client = client_for("anonymous")
    client.force_login(cast.other_peer.staff_member.user)
    response = client.get(reverse("recruitment:applicant_board", args=[vacancy.pk]))
    assert response.status_code == 200
    assert response.context["may_decide"] is False


def test_the_board_shows_each_applicant_in_their_step(client_for, cast, vacancy, applicant):
    services.applicant_move(applicant=applicant, by=cast.leader.user, to_stage="interview")
    services.applicant_add(vacancy=vacancy, by=cast.leader.user, name="Bo Ny")
    columns = (
        client_for("leader")
        .get(reverse("recruitment:applicant_board", args=[vacancy.pk]))
        .context["columns"]
    )
    placed = {stage: [a.name for a in people] for stage, _label, people in columns}
    assert placed["received"] == ["Bo Ny"]
    assert placed["interview"] == ["Ane Ansøger"]


def test_hire_through_the_page_lands_on_the_peer_workers_checklist(client_for, applicant):
    response = client_for("leader").post(
        reverse("recruitment:applicant_hire", args=[applicant.pk]),
        {
            "start_date": TODAY().isoformat(),
            "hours_per_week": "25",
            "employment_form": "permanent",
            "probation_months": "3",
        },
    )
    applicant.refresh_from_db()
    assert response["Location"] == reverse(
        "recruitment:checklist", args=[applicant.hired_peer.onboarding.pk]
    )


def test_ticking_in_place_returns_the_row_and_the_new_progress(client_for, vacancy):
    item = vacancy.onboarding.items.filter(derived_from="").first()
    response = client_for("leader").post(
        reverse("recruitment:checklist_item_toggle", args=[item.pk]),
        {"done": "1", "version": item.version},
        HTTP_HX_REQUEST="true",
    )
    content = response.content.decode()
    assert content.startswith(f'<tr id="item-{item.pk}" class="state-done"')
    assert 'hx-swap-oob="true"' in content
    assert 'value="2" max="31"' in content  # posting published + this task, of 31
    item.refresh_from_db()
    assert item.done_on == TODAY()


def test_a_stale_tick_from_another_tab_is_refused_with_a_message(client_for, vacancy):
    item = vacancy.onboarding.items.filter(derived_from="").first()
    client = client_for("leader", "en")
    url = reverse("recruitment:checklist_item_toggle", args=[item.pk])
    client.post(url, {"done": "1", "version": item.version}, HTTP_HX_REQUEST="true")
    response = client.post(url, {"done": "0", "version": item.version}, HTTP_HX_REQUEST="true")
    assert "Someone else changed this task a moment ago." in response.content.decode()
    item.refresh_from_db()
    assert item.done_on == TODAY()


def test_onboarding_pdf_holds_the_peer_the_checklist_and_page_numbers(client_for, cast):
    onboarding = services.onboarding_start_for_peer(peer=cast.peer, by=cast.leader.user)
    onboarding.created_at = timezone.now() - datetime.timedelta(days=1200)
    onboarding.save()
    item = onboarding.items.get(title="Udarbejd ansættelseskontrakt")
    services.checklist_item_set_done(
        item=item, by=cast.leader.user, done=True, expected_version=item.version
    )
    text = _pdf_text(
        client_for("leader").get(reverse("recruitment:onboarding_pdf", args=[onboarding.pk]))
    )
    assert "Opstartsstatus: Pia Peer" in text
    assert "F-ACT Øst" in text
    assert "Mads Mentor (sygeplejerske)" in text
    assert "Udarbejd ansættelseskontrakt" in text and f"Udført {TODAY():%d.%m.%Y}" in text
    assert "Overskredet" in text
    assert "Side 1 af" in text
    assert "Lene Leder" in text  # who generated it


def test_programme_summary_pdf_has_one_line_per_checklist(client_for, cast, vacancy):
    services.onboarding_start_for_peer(peer=cast.other_peer, by=cast.centre.user)
    text = _pdf_text(client_for("centre").get(reverse("recruitment:onboarding_summary_pdf")))
    assert "Opstartsoversigt: hele programmet" in text
    assert "Per Anden" in text and "Peermedarbejder (stilling)" in text


def test_unit_summary_pdf_for_the_leader(client_for, cast, vacancy):
    url = reverse("recruitment:onboarding_summary_pdf") + f"?unit={cast.unit.pk}"
    text = _pdf_text(client_for("leader").get(url))
    assert "Opstartsoversigt: F-ACT Øst" in text


def test_posting_pdf_holds_the_posting_text(client_for, vacancy):
    text = _pdf_text(
        client_for("leader").get(reverse("recruitment:vacancy_posting_pdf", args=[vacancy.pk]))
    )
    assert "søger en peermedarbejder, 25 timer om ugen" in text


def test_centre_edits_the_posting_template_and_unknown_placeholders_are_named(client_for):
    client = client_for("centre", "en")
    template = PostingTemplate.objects.get()
    response = client.post(
        reverse("recruitment:posting_template_edit"),
        {"name": "Ny", "body": "Hej {unit} og {salary}", "version": template.version},
    )
    assert response.context["form"].errors["body"] == ["Unknown placeholder(s): {salary}."]
    client.post(
        reverse("recruitment:posting_template_edit"),
        {"name": "Ny", "body": "Hej {unit}, {hours} timer", "version": template.version},
    )
    template.refresh_from_db()
    assert template.body == "Hej {unit}, {hours} timer"


@pytest.mark.parametrize(
    "body", ["Hej {unit:>999999999}", "Hej {title!r}", "Hej {unit.__class__}", "Hej {unit[0]}"]
)
def test_a_placeholder_with_anything_after_its_name_is_refused(client_for, body):
    client = client_for("centre", "en")
    template = PostingTemplate.objects.get()
    response = client.post(
        reverse("recruitment:posting_template_edit"),
        {"name": "Ny", "body": body, "version": template.version},
    )
    errors = response.context["form"].errors["body"]
    assert len(errors) == 1
    assert errors[0].startswith(("Write placeholders as a name", "Unknown placeholder"))
    template.refresh_from_db()
    assert template.body != body


def test_applicants_import_with_preview_then_confirm(client_for, vacancy):
    client = client_for("leader", "en")
    url = reverse("recruitment:applicant_import", args=[vacancy.pk])
    body = "navn;e-mail;modtaget;motivation\nBo Berg;bo@example.org;3.11.2026;Vil hjælpe\n"
    response = client.post(url, {"file": SimpleUploadedFile("a.csv", body.encode())})
    assert response.context["report"].new == 1
    client.post(url, {"confirm": "1", "digest": response.context["digest"]})
    bo = Applicant.objects.get(email="bo@example.org")
    assert (bo.received_on, bo.motivation, bo.stage) == (
        datetime.date(2026, 11, 3),
        "Vil hjælpe",
        "received",
    )
    assert bo.stage_changes.count() == 1


def test_applicants_import_names_a_bad_date_by_row_and_column(client_for, vacancy):
    body = "name,received_on\nBo,3.11.2026\nEva,next week\n"
    response = client_for("leader", "en").post(
        reverse("recruitment:applicant_import", args=[vacancy.pk]),
        {"file": SimpleUploadedFile("a.csv", body.encode())},
    )
    assert [str(p) for p in response.context["report"].problems] == [
        "Row 3, column “received_on”: “next week” is not a date. Write it as 31.12.2026 or "
        "2026-12-31."
    ]
    assert not Applicant.objects.filter(name="Bo").exists()


def test_the_mentor_page_appoints_a_mentor_from_the_unit(client_for, cast):
    other = StaffMemberFactory(unit=cast.unit, name="Nina Nabo")
    response = client_for("leader").post(
        reverse("mentoring:mentor_assign", args=[cast.peer.pk]),
        {
            "mentor": other.pk,
            "start_date": TODAY().isoformat(),
            "weekday": "1",
            "meeting_time": "10:00",
        },
    )
    assert response.status_code == 302
    assert cast.peer.mentorships.get(end_date__isnull=True).mentor == other
    ended = cast.peer.mentorships.get(end_date__isnull=False)
    assert (ended.mentor, ended.end_reason) == (cast.mentor, "new_match")


def _grow(cast, size: int) -> None:
    for n in range(size):
        peer = PeerWorkerFactory(staff_member__unit=cast.unit)
        mentor_assign(peer=peer, mentor=cast.mentor, start_date=TODAY(), by=cast.leader.user)
        services.onboarding_start_for_peer(peer=peer, by=cast.leader.user)
        vacancy = services.vacancy_create(
            by=cast.leader.user,
            unit=cast.unit,
            title=f"Stilling {n}",
            hours_per_week=20,
            employment_form="permanent",
            planned_start_date=TODAY() + datetime.timedelta(days=30),
            application_deadline=TODAY(),
            contact_person=cast.leader,
        )
        for i in range(3):
            services.applicant_add(vacancy=vacancy, by=cast.leader.user, name=f"A{n}-{i}")


@pytest.mark.parametrize("size", [2, 12])
def test_checklist_and_board_pages_use_a_fixed_number_of_queries(
    client_for, cast, vacancy, size, django_assert_max_num_queries
):
    _grow(cast, size)
    client = client_for("leader")
    pages = [
        # Two of the queries read the education facts (seat, completion, courses).
        (reverse("recruitment:checklist_overview"), 16),
        (reverse("recruitment:checklist", args=[vacancy.onboarding.pk]), 16),
        (reverse("recruitment:applicant_board", args=[vacancy.pk]), 12),
        (reverse("recruitment:vacancy_list"), 12),
        (reverse("recruitment:vacancy_detail", args=[vacancy.pk]), 15),
        (reverse("peerprogram:home"), 20),
    ]
    for url, limit in pages:
        with django_assert_max_num_queries(limit, info=url):
            assert client.get(url).status_code == 200


def test_the_posting_shows_its_title_paragraphs_and_lists(vacancy):
    vacancy.posting_text = "Titel\n\nIntro linje\n- punkt et\n- punkt to\nSlut\n\nKontakt"
    assert vacancy.posting_blocks == [
        {"kind": "heading", "lines": ["Titel"]},
        {"kind": "paragraph", "lines": ["Intro linje"], "chunk": 1},
        {"kind": "list", "lines": ["punkt et", "punkt to"], "chunk": 1},
        {"kind": "paragraph", "lines": ["Slut"], "chunk": 1},
        {"kind": "paragraph", "lines": ["Kontakt"], "chunk": 2},
    ]


def test_status_buttons_put_cancelling_last_and_the_leader_first_on_the_committee(
    client_for, vacancy
):
    context = client_for("leader").get(vacancy.get_absolute_url()).context
    assert [value for value, _label in context["transitions"]] == ["closed", "cancelled"]
    assert [m.seat for m in context["committee"]] == ["leader", "staff_rep", "centre"]


def test_the_checklist_links_to_appointing_a_mentor_after_the_hire(client_for, cast):
    cast.peer.mentorships.all().delete()
    onboarding = services.onboarding_start_for_peer(peer=cast.peer, by=cast.leader.user)
    content = (
        client_for("leader")
        .get(reverse("recruitment:checklist", args=[onboarding.pk]))
        .content.decode()
    )
    assert reverse("mentoring:mentor_assign", args=[cast.peer.pk]) in content


def test_lists_order_what_was_made_at_the_same_moment_by_its_id(client_for, cast):
    # A seeded or imported programme makes many at the same moment: the id decides, so
    # that every page of a list is cut from the same order.
    for n in range(3):
        services.vacancy_create(
            by=cast.leader.user,
            unit=cast.unit,
            title=f"Samtidig {n}",
            hours_per_week=25,
            employment_form="permanent",
            planned_start_date=TODAY() + datetime.timedelta(days=45),
            application_deadline=TODAY() + datetime.timedelta(days=10),
            contact_person=cast.leader,
        )
    moment = timezone.now()
    Vacancy.objects.update(created_at=moment)
    Onboarding.objects.update(created_at=moment)
    newest_id_first = list(Vacancy.objects.order_by("-pk").values_list("pk", flat=True))
    client = client_for("centre")
    page = client.get(reverse("recruitment:vacancy_list")).context["page"]
    assert [v["pk"] for v in page] == newest_id_first
    rows = client.get(reverse("recruitment:checklist_overview")).context["rows"]
    assert [row.url for row in rows] == [
        reverse("recruitment:checklist", args=[Onboarding.objects.get(vacancy_id=pk).pk])
        for pk in newest_id_first
    ]


def test_the_vacancy_list_counts_each_vacancys_applicants_and_writes_its_dates(
    client_for, cast, vacancy
):
    from django.utils import translation
    from django.utils.formats import date_format

    for name in ("Ane", "Bo", "Cai"):
        services.applicant_add(
            vacancy=vacancy, by=cast.leader.user, name=name, email=f"{name}@example.org"
        )
    # One out of the process; another vacancy without applicants.
    Applicant.objects.filter(name="Bo").update(stage=Applicant.Stage.REJECTED)
    other = services.vacancy_create(
        by=cast.leader.user,
        unit=cast.unit,
        title="Peerstøtte i ambulatoriet",
        hours_per_week=20,
        employment_form="permanent",
        planned_start_date=vacancy.planned_start_date,
        application_deadline=vacancy.application_deadline + datetime.timedelta(days=3),
        contact_person=cast.leader,
    )
    client = client_for("centre")
    for language in ("da", "en"):
        client.cookies["django_language"] = language
        rows = client.get(reverse("recruitment:vacancy_list")).context["rows"]
        shown = {row.title: row for row in rows}
        with translation.override(language):
            assert shown[vacancy.title].application_deadline == date_format(
                vacancy.application_deadline, "SHORT_DATE_FORMAT"
            )
            assert shown[other.title].planned_start_date == date_format(
                other.planned_start_date, "SHORT_DATE_FORMAT"
            )
            assert shown[other.title].application_deadline == date_format(
                other.application_deadline, "SHORT_DATE_FORMAT"
            )
        assert (shown[vacancy.title].active_applicants, shown[vacancy.title].applicants) == (2, 3)
        assert (shown[other.title].active_applicants, shown[other.title].applicants) == (0, 0)
        assert shown[other.title].url == reverse("recruitment:vacancy_detail", args=[other.pk])
    page = client.get(reverse("recruitment:vacancy_list")).content.decode()
    assert "2 / 3" in page and "0 / 0" in page
