"""Who reads note content, and the record of every read.

Only the peer workers on a patient's caseload read the notes; every read writes exactly
one `NoteAccess` row per note shown; the log cannot be changed or deleted; no page,
export or admin page of any other role carries a word of a note.
"""

import datetime
import io
import zipfile

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from journal import services
from journal.models import CONTENT_FIELDS, NoteAccess, PeerMonth, ProgrammeFigures
from tests.conftest import ROLES
from tests.factories import PeerWorkerFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
# One marker per text field of a note, of its patient and of its history.
MARKERS = {name: f"SECRET-{name.upper().replace('_', '-')}-7f3" for name in CONTENT_FIELDS}
PATIENT_MARKERS = {"name": "SECRET-NAME-7f3", "reference": "SECRET-REF-7f3"}
ERROR_MARKER = "SECRET-ERROR-REASON-7f3"
CONCERN_MARKER = "SECRET-PASSED-TO-7f3"
ALL_MARKERS = [*MARKERS.values(), *PATIENT_MARKERS.values(), ERROR_MARKER, CONCERN_MARKER]
OTHERS = [role for role in ROLES if role not in ("anonymous", "peer")]


def _peer_user(cast):
    return cast.peer.staff_member.user


def _patient(cast, name="A.K.", reference="AØ-1042"):
    return services.patient_create(
        by=_peer_user(cast),
        peer=cast.peer,
        name=name,
        reference=reference,
        consent_date=TODAY() - datetime.timedelta(days=30),
        consent_given="orally",
    )


def _draft_note(cast, patient, texts=None, days_ago=1):
    by = _peer_user(cast)
    note = services.note_start(
        patient=patient,
        peer=cast.peer,
        by=by,
        date=TODAY() - datetime.timedelta(days=days_ago),
        place="outpatient",
        activity="conversation",
        minutes=45,
    )
    draft = services.draft_of(note)
    services.draft_save(
        draft=draft,
        by=by,
        expected_version=draft.version,
        changes=texts or {"hope": "Glæder sig til foråret."},
    )
    return note


def _final_note(cast, patient, texts=None, days_ago=1):
    note = _draft_note(cast, patient, texts, days_ago)
    draft = services.draft_of(note)
    return services.note_approve(note=note, by=_peer_user(cast), expected_version=draft.version)


@pytest.fixture
def secret(cast):
    """A patient whose name, reference, notes, error reason and concern are all markers."""
    by = _peer_user(cast)
    patient = _patient(cast, **PATIENT_MARKERS)
    note = _final_note(cast, patient, MARKERS)
    services.note_revise(note=note, peer=cast.peer, by=by)  # a draft version 2, same text
    wrong = _final_note(cast, patient, MARKERS, days_ago=2)
    services.note_mark_error(note=wrong, by=by, reason=ERROR_MARKER)
    services.concern_raise(note=note, by=by)
    services.concern_record(note=note, by=by, passed_to=CONCERN_MARKER, passed_at=timezone.now())
    services.group_note_create(
        by=by, peer=cast.peer, date=TODAY(), place="ward", topic="Søvn", participants=4, minutes=60
    )
    return patient, note


def _content_urls(patient, note) -> list[tuple[str, str]]:
    """(method, url) of every page that shows a patient or the content of their notes."""
    gets = [
        reverse("journal:patient_detail", args=[patient.pk]),
        reverse("journal:patient_edit", args=[patient.pk]),
        reverse("journal:note_create", args=[patient.pk]),
        reverse("journal:patient_pdf", args=[patient.pk]),
        reverse("journal:patient_access_report", args=[patient.pk]),
        reverse("journal:note_detail", args=[note.pk]),
        reverse("journal:note_write", args=[note.pk]) + "?step=approve",
        reverse("journal:note_version", args=[note.pk, 1]),
        reverse("journal:note_version", args=[note.pk, 2]),
        reverse("journal:note_copy", args=[note.pk]),
        reverse("journal:note_pdf", args=[note.pk]),
    ]
    posts = [
        reverse("journal:note_autosave", args=[note.pk]),
        reverse("journal:note_concern", args=[note.pk]),
    ]
    return [("get", url) for url in gets] + [("post", url) for url in posts]


def _pages_of(cast, role) -> list[str]:
    """Every page a role other than the peer reaches that could carry journal facts."""
    urls = [
        reverse("peerprogram:home"),
        reverse("journal:statistics"),
        reverse("journal:statistics") + f"?unit={cast.unit.pk}",
        reverse("journal:statistics_export", args=["csv"]),
        reverse("journal:statistics_export", args=["xlsx"]),
        reverse("journal:referral_list"),
        reverse("journal:caseload"),
        reverse("journal:group_note_list"),
        reverse("peerprogram:peer_list"),
        reverse("peerprogram:peer_detail", args=[cast.peer.pk]),
        reverse("peerprogram:staff_detail", args=[cast.peer.staff_member.pk]),
        reverse("peerprogram:unit_detail", args=[cast.unit.pk]),
        reverse("peerprogram:data_export", args=["staff"]),
        reverse("mentoring:overview"),
        reverse("mentoring:mentorship_detail", args=[cast.peer.mentorships.get().pk]),
        reverse("education:peer_courses", args=[cast.peer.pk]),
    ]
    if role == "admin":
        urls += _admin_pages()
    return urls


def _admin_pages() -> list[str]:
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        opts = model._meta
        base = f"admin:{opts.app_label}_{opts.model_name}"
        urls.append(reverse(f"{base}_changelist"))
        urls.append(reverse(f"{base}_changelist") + "?q=SECRET")
        for pk in model._default_manager.order_by("-pk").values_list("pk", flat=True)[:40]:
            urls.append(reverse(f"{base}_change", args=[pk]))
    return urls


def _text_of(response) -> bytes:
    """The body as bytes; a spreadsheet unzipped, so its shared strings are searched too."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            return b"".join(book.read(name) for name in book.namelist())
    return content


def _assert_no_marker(response, url):
    body = _text_of(response)
    found = [marker for marker in ALL_MARKERS if marker.encode() in body]
    assert found == [], f"{url} ({response.status_code}) shows {found}"


# Content never leaks ------------------------------------------------------------------


def test_the_markers_are_shown_to_the_peer_on_the_patients_caseload(client_for, cast, secret):
    """The control: the same markers are on the peer's own pages, so their absence counts."""
    patient, note = secret
    client = client_for("peer")
    page = client.get(reverse("journal:note_detail", args=[note.pk])).content.decode()
    assert all(marker in page for marker in MARKERS.values())
    assert CONCERN_MARKER in page and PATIENT_MARKERS["name"] in page
    wrong = patient.notes.get(status="error")
    assert ERROR_MARKER in client.get(wrong.get_absolute_url()).content.decode()


@pytest.mark.parametrize("role", OTHERS)
def test_no_other_role_sees_a_word_of_the_notes_on_any_page(client_for, cast, secret, role):
    patient, note = secret
    client = client_for(role)
    for url in _pages_of(cast, role):
        response = client.get(url)
        assert response.status_code in (200, 302, 403, 404), url
        _assert_no_marker(response, url)
    for method, url in _content_urls(patient, note):
        response = getattr(client, method)(url)
        assert response.status_code == 404, url
        _assert_no_marker(response, url)


@pytest.mark.parametrize("role", OTHERS)
def test_the_statistics_of_other_roles_count_the_note_without_its_text(
    client_for, cast, secret, role
):
    response = client_for(role, "en").get(reverse("journal:statistics"))
    if role == "outsider":  # leads unit B: the unit A peer's note is not theirs to count
        assert response.context["stats"].total.notes == 0
    else:
        assert response.context["stats"].total.notes == 1  # the note in error is not counted
    _assert_no_marker(response, "statistics")


def test_a_peer_worker_not_on_the_caseload_reads_nothing(client, cast, secret):
    """A colleague in the same unit is a peer worker too, but not this patient's."""
    patient, note = secret
    colleague = PeerWorkerFactory(
        staff_member__unit=cast.unit, staff_member__user=UserFactory(username="colleague")
    )
    client.force_login(colleague.staff_member.user)
    caseload = client.get(reverse("journal:caseload"))
    assert caseload.status_code == 200
    _assert_no_marker(caseload, "caseload")
    for method, url in _content_urls(patient, note):
        response = getattr(client, method)(url)
        assert response.status_code == 404, url
        _assert_no_marker(response, url)
    for view in ("note_revise", "note_discard", "note_mark_error"):
        assert client.post(reverse(f"journal:{view}", args=[note.pk])).status_code == 404
    assert NoteAccess.objects.filter(user=colleague.staff_member.user).count() == 0


def test_the_admin_registers_no_journal_model_but_the_access_log_and_the_counts(cast):
    journal = [m for m in admin.site._registry if m._meta.app_label == "journal"]
    assert journal == [NoteAccess, PeerMonth, ProgrammeFigures]
    inlines = [
        inline.model._meta.label
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
    ]
    assert [label for label in inlines if label.startswith("journal.")] == []
    request = RequestFactory().get("/")
    request.user = cast.admin_user
    row = NoteAccess.objects.create(
        user=cast.admin_user, who="admin", patient_id=1, note_id=1, action="view"
    )
    log_admin = admin.site._registry[NoteAccess]
    assert log_admin.has_view_permission(request, row)
    assert not log_admin.has_add_permission(request)
    assert not log_admin.has_change_permission(request, row)
    assert not log_admin.has_delete_permission(request, row)
    assert not log_admin.has_change_permission(request)
    assert not log_admin.has_delete_permission(request)
    # The counts behind the statistics: read only, and nothing in them but numbers.
    counts_admin = admin.site._registry[PeerMonth]
    assert not counts_admin.has_add_permission(request)
    assert not counts_admin.has_change_permission(request)
    assert not counts_admin.has_delete_permission(request)
    fields = PeerMonth._meta.get_fields()
    assert [f.name for f in fields if f.get_internal_type() != "PositiveIntegerField"] == [
        "id",
        "peer",
        "month",
    ]


# The autosave -----------------------------------------------------------------------


def _autosave(client, note, step, version, text):
    return client.post(
        reverse("journal:note_autosave", args=[note.pk]),
        {"step": step, "version": version, step: text},
        headers={"HX-Request": "true"},
    )


def test_the_autosave_answer_never_holds_the_stored_text(client_for, cast):
    note = _draft_note(cast, _patient(cast), {"hope": "STORED-HOPE-41c"})
    draft = services.draft_of(note)
    client = client_for("peer", "en")

    saved = _autosave(client, note, "hope", draft.version, "TYPED-HOPE-41c")
    body = saved.content.decode()
    assert saved.status_code == 200 and "Draft saved" in body
    assert f'value="{draft.version + 1}"' in body
    assert "HOPE-41c" not in body
    draft.refresh_from_db()
    assert draft.hope == "TYPED-HOPE-41c"

    # Typing in another box: the stored hope is not sent back either.
    other = _autosave(client, note, "meaning", draft.version, "TYPED-MEANING-41c")
    assert "HOPE-41c" not in other.content.decode()
    assert "MEANING-41c" not in other.content.decode()

    # A stale save (someone else saved since): refused, and the stored text is not shown.
    stale = _autosave(client, note, "hope", draft.version - 1, "OTHER-HOPE-41c")
    body = stale.content.decode()
    assert "someone else changed this draft" in body
    assert "HOPE-41c" not in body and "MEANING-41c" not in body

    # Too long: the error names the limit, not the text.
    long = _autosave(client, note, "hope", draft.version + 1, "X-41c" * 1001)
    assert "41c" not in long.content.decode()
    assert long["Cache-Control"].count("no-store") == 1


# The access log ---------------------------------------------------------------------


def _rows():
    return list(
        NoteAccess.objects.order_by("pk").values(
            "user", "who", "patient_id", "note_id", "version_number", "action"
        )
    )


def _row(cast, note, action, version_number):
    return {
        "user": _peer_user(cast).pk,
        "who": "Pia Peer",
        "patient_id": note.patient_id,
        "note_id": note.pk,
        "version_number": version_number,
        "action": action,
    }


@pytest.fixture
def revised(cast):
    """A final note (version 1) with a draft version 2, and a second final note."""
    patient = _patient(cast)
    note = _final_note(cast, patient, days_ago=3)
    services.note_revise(note=note, peer=cast.peer, by=_peer_user(cast))
    other = _final_note(cast, patient, days_ago=1)
    return patient, note, other


@pytest.mark.parametrize(
    ("view", "args", "action", "number"),
    [
        ("note_detail", lambda n: [n.pk], "view", 1),
        ("note_version", lambda n: [n.pk, 1], "version", 1),
        ("note_version", lambda n: [n.pk, 2], "version", 2),
        ("note_copy", lambda n: [n.pk], "copy", 1),
        ("note_pdf", lambda n: [n.pk], "print", 1),
        ("note_write", lambda n: [n.pk], "cowrite", 2),
    ],
)
def test_each_read_of_a_note_writes_exactly_one_row(
    client_for, cast, revised, view, args, action, number
):
    _patient_, note, _other = revised
    response = client_for("peer").get(reverse(f"journal:{view}", args=args(note)))
    assert response.status_code == 200
    assert _rows() == [_row(cast, note, action, number)]


def test_every_co_writing_step_with_text_is_a_read(client_for, cast, revised):
    _patient_, note, _other = revised
    client = client_for("peer")
    for step in ("facts", "hope", "approve"):
        client.get(reverse("journal:note_write", args=[note.pk]), {"step": step})
    # The facts step (date, place, minutes) shows none of the note's text.
    assert _rows() == [_row(cast, note, "cowrite", 2)] * 2


def test_a_draft_never_approved_is_logged_with_its_own_version(client_for, cast):
    note = _draft_note(cast, _patient(cast))
    client_for("peer").get(note.get_absolute_url())
    assert _rows() == [_row(cast, note, "view", 1)]


def test_printing_all_notes_writes_one_row_per_final_note(client_for, cast, revised):
    patient, note, other = revised
    _draft_note(cast, patient)  # a draft is not printed
    wrong = _final_note(cast, patient)
    services.note_mark_error(note=wrong, by=_peer_user(cast), reason="Forkert patient")
    response = client_for("peer").get(reverse("journal:patient_pdf", args=[patient.pk]))
    assert response.status_code == 200
    # The version printed is the approved one (1), not the draft version 2 of `note`.
    assert sorted(_rows(), key=lambda r: r["note_id"]) == [
        _row(cast, note, "print", 1),
        _row(cast, other, "print", 1),
    ]


def test_pages_without_note_content_write_no_row(client_for, cast, revised):
    patient, note, _other = revised
    referral = services.referral_create(
        by=cast.mentor.user,
        referred_by=cast.mentor,
        peer=cast.peer,
        patient_name="B.J.",
        patient_reference="AØ-1107",
        reason="Ønsker samtale.",
        contact_route="patient",
    )
    client = client_for("peer")
    for url in [
        reverse("journal:caseload"),
        reverse("journal:patient_detail", args=[patient.pk]),
        reverse("journal:patient_edit", args=[patient.pk]),
        reverse("journal:note_create", args=[patient.pk]),
        reverse("journal:patient_access_report", args=[patient.pk]),
        reverse("journal:statistics"),
        reverse("journal:statistics_export", args=["xlsx"]),
        reverse("peerprogram:home"),
        reverse("journal:referral_list"),
        reverse("journal:referral_detail", args=[referral.pk]),
        reverse("journal:group_note_list"),
    ]:
        assert client.get(url).status_code == 200, url
    assert _rows() == []


def test_saving_a_step_without_showing_the_draft_writes_no_row(client_for, cast, revised):
    _patient_, note, _other = revised
    draft = services.draft_of(note)
    response = client_for("peer").post(
        reverse("journal:note_write", args=[note.pk]),
        {"step": "hope", "version": draft.version, "hope": "Nyt håb.", "next": "1"},
    )
    assert response.status_code == 302
    assert (
        _autosave(client_for("peer"), note, "hope", draft.version + 1, "Mere.").status_code == 200
    )
    assert _rows() == []


@pytest.mark.parametrize("role", OTHERS)
def test_a_refused_read_writes_no_row(client_for, cast, revised, role):
    patient, note, _other = revised
    client = client_for(role)
    for method, url in _content_urls(patient, note):
        assert getattr(client, method)(url).status_code == 404, url
    assert _rows() == []


# The log is append-only ---------------------------------------------------------------


@pytest.fixture
def logged(cast):
    return NoteAccess.objects.create(
        user=_peer_user(cast), who="Pia Peer", patient_id=7, note_id=9, action="view"
    )


def test_a_row_of_the_log_cannot_be_changed(logged):
    logged.who = "Someone else"
    with pytest.raises(PermissionError, match="cannot be changed"):
        logged.save()
    with pytest.raises(PermissionError, match="cannot be changed"):
        logged.save(update_fields=["who"])
    with pytest.raises(PermissionError, match="cannot be changed"):
        NoteAccess.objects.filter(pk=logged.pk).update(who="Someone else")
    with pytest.raises(PermissionError, match="cannot be changed"):
        NoteAccess.objects.all().update(action="copy")
    assert NoteAccess.objects.get().who == "Pia Peer"


def test_a_row_of_the_log_cannot_be_deleted(logged):
    with pytest.raises(PermissionError, match="cannot be deleted"):
        logged.delete()
    with pytest.raises(PermissionError, match="cannot be deleted"):
        NoteAccess.objects.filter(pk=logged.pk).delete()
    with pytest.raises(PermissionError, match="cannot be deleted"):
        NoteAccess.objects.all().delete()
    assert NoteAccess.objects.count() == 1


def test_bulk_update_of_the_log_is_refused(logged):
    logged.who = "Someone else"
    with pytest.raises(PermissionError), transaction.atomic():
        NoteAccess.objects.bulk_update([logged], ["who"])
    assert NoteAccess.objects.get().who == "Pia Peer"


def test_an_upsert_cannot_overwrite_a_row_of_the_log(logged):
    """Found while writing these tests (bulk_create with update_conflicts overwrote rows)."""
    again = NoteAccess(pk=logged.pk, who="Someone else", patient_id=7, note_id=9, action="view")
    with pytest.raises(PermissionError), transaction.atomic():
        NoteAccess.objects.bulk_create(
            [again], update_conflicts=True, unique_fields=["id"], update_fields=["who"]
        )
    with pytest.raises(PermissionError), transaction.atomic():
        NoteAccess.objects.bulk_create([again], ignore_conflicts=True)
    assert NoteAccess.objects.get().who == "Pia Peer"


def test_the_base_manager_cannot_change_or_delete_the_log(logged):
    """Django reaches related rows through the base manager; it must be the guarded one."""
    with pytest.raises(PermissionError), transaction.atomic():
        NoteAccess._base_manager.filter(pk=logged.pk).update(who="Someone else")
    with pytest.raises(PermissionError), transaction.atomic():
        NoteAccess._base_manager.filter(pk=logged.pk).delete()
    assert NoteAccess.objects.get().who == "Pia Peer"


def test_the_admin_shows_a_row_read_only_and_refuses_to_delete_it(client_for, cast, logged):
    client = client_for("admin", "en")
    change = reverse("admin:journal_noteaccess_change", args=[logged.pk])
    page = client.get(change)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Pia Peer" in body
    assert 'name="_save"' not in body and 'name="_continue"' not in body
    assert "deletelink" not in body
    assert client.post(change, {"who": "Someone else"}).status_code == 403
    delete = reverse("admin:journal_noteaccess_delete", args=[logged.pk])
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:journal_noteaccess_add")).status_code == 403
    changelist = reverse("admin:journal_noteaccess_changelist")
    bulk = client.post(
        changelist, {"action": "delete_selected", "_selected_action": [logged.pk], "post": "yes"}
    )
    assert bulk.status_code in (200, 302)
    assert NoteAccess.objects.get().who == "Pia Peer"


# The access report ---------------------------------------------------------------------


def _pdf_text(response) -> str:
    pages = PdfReader(io.BytesIO(response.content)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def _colleague_on_the_caseload(cast, patient):
    colleague = PeerWorkerFactory(
        staff_member__name="Kim Kollega",
        staff_member__unit=cast.unit,
        staff_member__user=UserFactory(username="colleague"),
    )
    patient.peers.add(colleague)
    return colleague


def test_the_access_report_lists_who_read_the_notes_and_how(client, cast, revised):
    patient, note, _other = revised
    colleague = _colleague_on_the_caseload(cast, patient)
    client.force_login(colleague.staff_member.user)
    client.get(reverse("journal:note_detail", args=[note.pk]))
    client.get(reverse("journal:note_copy", args=[note.pk]))
    client.force_login(_peer_user(cast))  # the patient's own peer prints the report
    response = client.get(reverse("journal:patient_access_report", args=[patient.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _pdf_text(response)
    with translation.override("da"):
        read, copied = str(NoteAccess.Action.VIEW.label), str(NoteAccess.Action.COPY.label)
    assert f"Kim Kollega {read}" in text
    assert f"Kim Kollega {copied}" in text
    assert text.index(read) < text.index(copied)  # oldest first
    assert NoteAccess.objects.filter(user=colleague.staff_member.user).count() == 2


def test_the_access_report_of_another_patient_does_not_list_these_reads(client, cast, revised):
    _patient_, note, _other = revised
    quiet = _patient(cast, name="Q.", reference="AØ-9999")
    colleague = _colleague_on_the_caseload(cast, note.patient)
    client.force_login(colleague.staff_member.user)
    client.get(reverse("journal:note_detail", args=[note.pk]))
    client.force_login(_peer_user(cast))
    text = _pdf_text(client.get(reverse("journal:patient_access_report", args=[quiet.pk])))
    assert "Kim Kollega" not in text
    with translation.override("da"):
        assert str(NoteAccess.Action.VIEW.label) not in text


# Nothing is kept in a cache -------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "view", "args"),
    [
        ("get", "caseload", lambda p, n: []),
        ("get", "patient_detail", lambda p, n: [p.pk]),
        ("get", "patient_edit", lambda p, n: [p.pk]),
        ("get", "patient_pdf", lambda p, n: [p.pk]),
        ("get", "patient_access_report", lambda p, n: [p.pk]),
        ("get", "note_detail", lambda p, n: [n.pk]),
        ("get", "note_write", lambda p, n: [n.pk]),
        ("get", "note_version", lambda p, n: [n.pk, 1]),
        ("get", "note_copy", lambda p, n: [n.pk]),
        ("get", "note_pdf", lambda p, n: [n.pk]),
        ("post", "note_autosave", lambda p, n: [n.pk]),
    ],
)
def test_pages_with_note_content_are_never_cached(client_for, cast, revised, method, view, args):
    patient, note, _other = revised
    response = getattr(client_for("peer"), method)(
        reverse(f"journal:{view}", args=args(patient, note))
    )
    assert response.status_code == 200
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "no-cache", "must-revalidate", "private", "max-age=0"} <= cache_control
