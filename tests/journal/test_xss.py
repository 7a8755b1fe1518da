"""Markup typed into any journal field is shown as text: escaped on pages, literal in PDFs."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from pypdf import PdfReader

from journal import services
from journal.forms import TEXT_STEPS
from journal.models import CONTENT_FIELDS

pytestmark = pytest.mark.django_db

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'
# The internal references hold 40 characters: a shorter payload that breaks out of an attribute.
SHORT = '"><img src=x onerror=alert(1)>'
# What must never reach a page unescaped, whatever the field.
RAW = ("<script>alert", "<img src=x", '"><img')
TODAY = timezone.localdate


def typed(field: str) -> str:
    """The payload, tagged with the field it was typed into, to find it on the page."""
    return f"{PAYLOAD}{field}"


def short(field: str) -> str:
    return f"{SHORT}{field}"


def ref(field: str) -> str:
    """A reference as shown: the services store references in capitals."""
    return short(field).upper()


@pytest.fixture
def hostile(cast):
    """Every text field of the journal holds the payload."""
    by = cast.peer.staff_member.user
    patient = services.patient_create(
        by=by,
        peer=cast.peer,
        name=typed("patient-name"),
        reference=short("pref"),
        consent_date=TODAY() - datetime.timedelta(days=30),
        consent_given="orally",
    )
    note = _final(cast, patient, {name: typed(name) for name in CONTENT_FIELDS})
    services.note_revise(note=note, peer=cast.peer, by=by)
    services.concern_raise(note=note, by=by)
    services.concern_record(
        note=note, by=by, passed_to=typed("passed-to"), passed_at=timezone.now()
    )
    wrong = _final(cast, patient, {"hope": "Forkert."})
    services.note_mark_error(note=wrong, by=by, reason=typed("error-reason"))
    group = services.group_note_create(
        by=by,
        peer=cast.peer,
        date=TODAY(),
        place="ward",
        topic=typed("topic"),
        co_facilitator=typed("co-facilitator"),
        participants=5,
        minutes=60,
        hope=True,
    )
    pending = _referral(cast, "pending")
    declined = _referral(cast, "declined")
    services.referral_decline(referral=declined, by=by, reason=typed("decline-reason"))
    return {
        "patient": patient,
        "note": note,
        "wrong": wrong,
        "group": group,
        "pending": pending,
        "declined": declined,
    }


def _final(cast, patient, texts):
    by = cast.peer.staff_member.user
    note = services.note_start(
        patient=patient,
        peer=cast.peer,
        by=by,
        date=TODAY() - datetime.timedelta(days=1),
        place="outpatient",
        activity="conversation",
        minutes=45,
    )
    draft = services.draft_of(note)
    draft = services.draft_save(draft=draft, by=by, expected_version=draft.version, changes=texts)
    return services.note_approve(note=note, by=by, expected_version=draft.version)


def _referral(cast, tag):
    return services.referral_create(
        by=cast.mentor.user,
        referred_by=cast.mentor,
        peer=cast.peer,
        patient_name=typed(f"{tag}-name"),
        patient_reference=short(f"{tag[0]}-ref"),
        reason=typed(f"{tag}-reason"),
        contact_route="other",
        contact_other=typed(f"{tag}-contact"),
    )


def assert_shown_as_text(response, *values):
    """Nothing unescaped; each given value is on the page in its escaped form."""
    assert response.status_code == 200
    body = response.content.decode()
    # Case-insensitive: references are stored in capitals ("<IMG SRC=X" is markup too).
    unescaped = [raw for raw in RAW if raw.lower() in body.lower()]
    assert unescaped == [], f"unescaped markup on the page: {unescaped}"
    missing = [value for value in values if escape(value) not in body]
    assert missing == [], f"not shown (escaped): {missing}"


# Pages --------------------------------------------------------------------------------


def test_the_caseload_shows_names_references_and_waiting_referrals_as_text(client_for, hostile):
    response = client_for("peer").get(reverse("journal:caseload"))
    assert_shown_as_text(response, typed("patient-name"), ref("pref"), typed("pending-name"))


def test_the_patient_page_and_form_show_the_patient_as_text(client_for, hostile):
    patient = hostile["patient"]
    client = client_for("peer")
    assert_shown_as_text(client.get(patient.get_absolute_url()), typed("patient-name"), ref("pref"))
    edit = client.get(reverse("journal:patient_edit", args=[patient.pk]))
    assert_shown_as_text(edit, typed("patient-name"), ref("pref"))
    start = client.get(reverse("journal:note_create", args=[patient.pk]))
    assert_shown_as_text(start, typed("patient-name"))


def test_the_note_page_shows_every_text_of_the_note_as_text(client_for, hostile):
    response = client_for("peer").get(hostile["note"].get_absolute_url())
    assert_shown_as_text(
        response,
        typed("patient-name"),
        typed("passed-to"),
        *[typed(name) for name in CONTENT_FIELDS],
    )


def test_the_reason_a_note_was_entered_in_error_is_shown_as_text(client_for, hostile):
    response = client_for("peer").get(hostile["wrong"].get_absolute_url())
    assert_shown_as_text(response, typed("error-reason"), typed("patient-name"))


@pytest.mark.parametrize("number", [1, 2])
def test_a_version_shows_every_text_as_text(client_for, hostile, number):
    note = hostile["note"]
    response = client_for("peer").get(reverse("journal:note_version", args=[note.pk, number]))
    assert_shown_as_text(response, typed("patient-name"), *[typed(name) for name in CONTENT_FIELDS])


def test_the_copy_page_shows_every_text_as_text(client_for, hostile):
    note = hostile["note"]
    response = client_for("peer").get(reverse("journal:note_copy", args=[note.pk]))
    assert_shown_as_text(response, typed("patient-name"), *[typed(n) for n in CONTENT_FIELDS])


def test_a_note_text_cannot_close_the_copy_pages_text_box(client_for, cast, hostile):
    breakout = "</textarea><script>alert(document.cookie)</script>"
    note = _final(cast, hostile["patient"], {"hope": breakout})
    body = client_for("peer").get(reverse("journal:note_copy", args=[note.pk])).content.decode()
    assert "</textarea><script>" not in body


def test_the_copy_page_keeps_the_text_whole(client_for, hostile):
    """Whatever the escaping, the text to paste holds every section."""
    note = hostile["note"]
    response = client_for("peer").get(reverse("journal:note_copy", args=[note.pk]))
    text = response.context["text"]
    assert all(typed(name) in text for name in CONTENT_FIELDS)


@pytest.mark.parametrize("step", TEXT_STEPS)
def test_each_co_writing_step_shows_its_text_as_text(client_for, hostile, step):
    note = hostile["note"]
    response = client_for("peer").get(reverse("journal:note_write", args=[note.pk]), {"step": step})
    assert_shown_as_text(response, typed(step))


def test_the_approve_step_shows_the_whole_draft_as_text(client_for, hostile):
    note = hostile["note"]
    response = client_for("peer").get(
        reverse("journal:note_write", args=[note.pk]), {"step": "approve"}
    )
    assert_shown_as_text(response, *[typed(name) for name in CONTENT_FIELDS])


def test_a_refused_approval_shows_the_draft_as_text(client_for, hostile):
    note = hostile["note"]
    draft = services.draft_of(note)
    response = client_for("peer").post(
        reverse("journal:note_write", args=[note.pk]),
        {"step": "approve", "version": draft.version},  # the box is not ticked
    )
    assert_shown_as_text(response, *[typed(name) for name in CONTENT_FIELDS])


def test_a_rejected_concern_record_shows_the_note_as_text(client_for, cast, hostile):
    note = _final(cast, hostile["patient"], {"hope": typed("concern-hope")})
    services.concern_raise(note=note, by=cast.peer.staff_member.user)
    response = client_for("peer").post(
        reverse("journal:note_concern", args=[note.pk]), {"passed_to": typed("typed-again")}
    )
    assert_shown_as_text(response, typed("concern-hope"), typed("typed-again"))


def test_the_referral_pages_show_the_referral_as_text(client_for, hostile):
    pending, declined = hostile["pending"], hostile["declined"]
    peer = client_for("peer")
    assert_shown_as_text(
        peer.get(pending.get_absolute_url()),
        typed("pending-name"),
        ref("p-ref"),
        typed("pending-reason"),
        typed("pending-contact"),
    )
    assert_shown_as_text(
        peer.get(reverse("journal:referral_list")),
        typed("pending-name"),
        ref("p-ref"),
        typed("declined-name"),
    )
    mentor = client_for("mentor")
    assert_shown_as_text(
        mentor.get(declined.get_absolute_url()),
        typed("declined-name"),
        ref("d-ref"),
        typed("declined-reason"),
        typed("declined-contact"),
        typed("decline-reason"),
    )
    assert_shown_as_text(
        mentor.get(reverse("journal:referral_list")), typed("pending-name"), ref("d-ref")
    )


def test_accepting_a_referral_says_so_with_the_name_as_text(client_for, hostile):
    response = client_for("peer").post(
        reverse("journal:referral_accept", args=[hostile["pending"].pk]), follow=True
    )
    assert_shown_as_text(response, typed("pending-name"), ref("p-ref"))
    [message] = [str(m) for m in response.context["messages"]]
    assert typed("pending-name") in message  # the raw text in the message, escaped on the page


def test_the_group_notes_show_topic_and_co_facilitator_as_text(client_for, hostile):
    client = client_for("peer")
    assert_shown_as_text(
        client.get(reverse("journal:group_note_list")),
        typed("topic"),
        typed("co-facilitator"),
    )
    assert_shown_as_text(
        client.get(hostile["group"].get_absolute_url()), typed("topic"), typed("co-facilitator")
    )


def test_the_leaders_statistics_show_peer_and_unit_names_as_text(client_for, cast, hostile):
    member = cast.peer.staff_member
    member.name = typed("peer-name")
    member.save()
    cast.unit.name = typed("unit-name")
    cast.unit.save()
    response = client_for("leader").get(reverse("journal:statistics"))
    assert_shown_as_text(response, typed("peer-name"), typed("unit-name"))
    assert response.context["stats"].total.notes == 1


# PDFs: WeasyPrint renders HTML, so markup there would be laid out, not printed -------------


def _pdf_text(response) -> str:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def test_the_note_pdf_prints_the_markup_literally(client_for, hostile):
    note = hostile["note"]
    text = _pdf_text(client_for("peer").get(reverse("journal:note_pdf", args=[note.pk])))
    for value in [typed("patient-name"), *[typed(name) for name in CONTENT_FIELDS]]:
        assert value in text, value


def test_the_patients_notes_pdf_prints_the_markup_literally(client_for, hostile):
    patient = hostile["patient"]
    text = _pdf_text(client_for("peer").get(reverse("journal:patient_pdf", args=[patient.pk])))
    for value in [typed("patient-name"), *[typed(name) for name in CONTENT_FIELDS]]:
        assert value in text, value
    assert "Forkert." not in text  # the note entered in error is not printed


def test_the_access_report_prints_the_markup_literally(client_for, cast, hostile):
    member = cast.peer.staff_member
    member.name = typed("reader")
    member.save()
    patient, note = hostile["patient"], hostile["note"]
    client = client_for("peer")
    client.get(note.get_absolute_url())
    text = _pdf_text(client.get(reverse("journal:patient_access_report", args=[patient.pk])))
    assert typed("patient-name") in text
    assert typed("reader") in text
