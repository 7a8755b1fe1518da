"""Co-writing a note with the patient: the steps, autosave, two tabs, and approval."""

import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from journal import services
from journal.models import Note, NoteAccess, NoteVersion

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
CONFLICT = (
    "Not saved: someone else changed this draft while you were writing. The box below now "
    "shows their version. Your text is kept here, so you can copy what you need into it."
)
AUTOSAVE_CONFLICT = (
    "Not saved: someone else changed this draft a moment ago. Your text is still in the box: "
    "copy it, then reload the page to see their version."
)


@pytest.fixture
def note(cast):
    user = cast.peer.staff_member.user
    patient = services.patient_create(
        by=user,
        peer=cast.peer,
        name="Anna",
        reference="F-101",
        consent_date=TODAY() - datetime.timedelta(days=3),
        consent_given="orally",
    )
    return services.note_start(
        patient=patient,
        peer=cast.peer,
        by=user,
        date=TODAY(),
        place="outpatient",
        activity="conversation",
        minutes=45,
    )


def _draft(note) -> NoteVersion:
    return services.draft_of(note)


def _write_url(note, step=None):
    url = reverse("journal:note_write", args=[note.pk])
    return f"{url}?step={step}" if step else url


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _textarea(content: str, element_id: str) -> str:
    start = content.index(f'id="{element_id}"')
    start = content.index(">", start) + 1
    return content[start : content.index("</textarea>", start)]


def test_the_hope_step_shows_its_question(client_for, note):
    response = client_for("peer", "en").get(_write_url(note, "hope"))
    assert response.status_code == 200
    content = _text(response)
    assert '<h1 class="cowrite-title">Hope</h1>' in content
    assert (
        '<p class="cowrite-prompt">What gives you hope right now? What are you looking forward '
        "to?</p>" in content
    )
    assert "Small things count: a walk, a visit, a good night's sleep." in content
    assert "Step 3 of 9" in content
    assert f'name="version" id="id_version" value="{_draft(note).version}"' in content
    assert response["Cache-Control"].startswith("max-age=0")
    assert "no-store" in response["Cache-Control"]


def test_opening_a_step_writes_the_access_log(client_for, cast, note):
    client_for("peer", "en").get(_write_url(note, "hope"))
    assert list(
        NoteAccess.objects.values_list("who", "patient_id", "note_id", "version_number", "action")
    ) == [("Pia Peer", note.patient_id, note.pk, 1, "cowrite")]


@pytest.mark.parametrize("role", ["leader", "mentor", "centre", "admin", "outsider"])
def test_only_the_peers_on_the_caseload_can_write(client_for, note, role):
    response = client_for(role, "en").get(_write_url(note, "hope"))
    assert response.status_code == 404
    assert not NoteAccess.objects.exists()


def test_a_step_saves_the_text_and_goes_to_the_next_step(client_for, note):
    version = _draft(note).version
    response = client_for("peer", "en").post(
        _write_url(note),
        {"step": "hope", "version": version, "hope": "  A walk by the sea  ", "next": "1"},
    )
    assert response.status_code == 302
    assert response.url == _write_url(note, "identity")
    draft = _draft(note)
    assert (draft.hope, draft.version) == ("A walk by the sea", version + 1)


def test_back_saves_the_text_and_goes_to_the_previous_step(client_for, note):
    response = client_for("peer", "en").post(
        _write_url(note),
        {"step": "hope", "version": _draft(note).version, "hope": "My dog", "back": "1"},
    )
    assert response.status_code == 302
    assert response.url == _write_url(note, "connectedness")
    assert _draft(note).hope == "My dog"


def test_save_and_close_goes_to_the_note_with_a_message(client_for, note):
    response = client_for("peer", "en").post(
        _write_url(note),
        {"step": "meaning", "version": _draft(note).version, "meaning": "Music", "leave": "1"},
        follow=True,
    )
    assert response.redirect_chain == [(note.get_absolute_url(), 302)]
    assert "The draft is saved." in _text(response)
    assert _draft(note).meaning == "Music"


def test_the_facts_step_saves_the_facts(client_for, note):
    yesterday = TODAY() - datetime.timedelta(days=1)
    response = client_for("peer", "en").post(
        _write_url(note),
        {
            "step": "facts",
            "version": _draft(note).version,
            "date": yesterday.isoformat(),
            "place": "home",
            "activity": "bridge",
            "minutes": "90",
            "next": "1",
        },
    )
    assert response.status_code == 302
    assert response.url == _write_url(note, "connectedness")
    draft = _draft(note)
    assert (draft.date, draft.place, draft.activity, draft.minutes) == (
        yesterday,
        "home",
        "bridge",
        90,
    )


# Autosave -----------------------------------------------------------------------------


def test_autosave_saves_and_returns_the_new_version_but_never_the_text(client_for, note):
    version = _draft(note).version
    response = client_for("peer", "en").post(
        reverse("journal:note_autosave", args=[note.pk]),
        {"step": "hope", "version": version, "hope": "Seeing my grandchildren"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    draft = _draft(note)
    assert (draft.hope, draft.version) == ("Seeing my grandchildren", version + 1)
    assert (
        f'<input type="hidden" name="version" id="id_version" value="{version + 1}" '
        'hx-swap-oob="true">' in content
    )
    saved = timezone.localtime(draft.saved_at)
    assert f"Draft saved {saved:%H:%M:%S}" in content
    assert "grandchildren" not in content
    assert "no-store" in response["Cache-Control"]


def test_autosave_of_the_approve_step_is_refused(client_for, note):
    response = client_for("peer", "en").post(
        reverse("journal:note_autosave", args=[note.pk]),
        {"step": "approve", "version": _draft(note).version},
    )
    content = _text(response)
    assert "Not saved: this step has no text to save." in content
    assert "hx-swap-oob" not in content


def test_an_autosave_without_its_step_or_its_text_blanks_nothing(client_for, note):
    draft = _draft(note)
    services.draft_save(
        draft=draft, by=None, expected_version=draft.version, changes={"connectedness": "Kept"}
    )
    draft.refresh_from_db()
    client = client_for("peer", "en")
    url = reverse("journal:note_autosave", args=[note.pk])
    no_step = _text(client.post(url, {"version": draft.version, "hope": "x"}))
    no_text = _text(client.post(url, {"step": "connectedness", "version": draft.version}))
    assert "Not saved: this step has no text to save." in no_step
    assert "The text was not sent. Nothing was saved." in no_text
    draft.refresh_from_db()
    assert (draft.connectedness, draft.hope) == ("Kept", "")


def test_autosave_after_approval_is_refused(client_for, note, cast):
    services.draft_save(
        draft=_draft(note), by=None, expected_version=_draft(note).version, changes={"hope": "x"}
    )
    services.note_approve(note=note, by=None, expected_version=_draft(note).version)
    response = client_for("peer", "en").post(
        reverse("journal:note_autosave", args=[note.pk]),
        {"step": "hope", "version": "3", "hope": "Changed afterwards"},
    )
    assert "Not saved: the note is no longer a draft." in _text(response)
    note.refresh_from_db()
    assert note.current.hope == "x"


# Two tabs -----------------------------------------------------------------------------


def test_a_second_tab_with_an_old_version_does_not_overwrite_the_first(client_for, note):
    client = client_for("peer", "en")
    seen = _draft(note).version
    first = client.post(
        _write_url(note), {"step": "hope", "version": seen, "hope": "Tab one", "next": "1"}
    )
    assert first.status_code == 302

    second = client.post(
        _write_url(note), {"step": "hope", "version": seen, "hope": "Tab two", "next": "1"}
    )
    assert second.status_code == 200
    content = _text(second)
    assert CONFLICT in content
    assert _textarea(content, "kept-text") == "Tab two"
    assert _textarea(content, "id_hope") == "Tab one"
    # The form now carries the stored version, so the next save goes through.
    assert f'name="version" id="id_version" value="{seen + 1}"' in content
    draft = _draft(note)
    assert (draft.hope, draft.version) == ("Tab one", seen + 1)


def test_autosave_from_a_second_tab_with_an_old_version_is_refused(client_for, note):
    client = client_for("peer", "en")
    url = reverse("journal:note_autosave", args=[note.pk])
    seen = _draft(note).version
    client.post(url, {"step": "hope", "version": seen, "hope": "Tab one"})
    response = client.post(url, {"step": "hope", "version": seen, "hope": "Tab two"})
    content = _text(response)
    assert f'<span class="text-danger" role="alert">{AUTOSAVE_CONFLICT}</span>' in content
    assert "hx-swap-oob" not in content
    assert "Tab one" not in content and "Tab two" not in content
    draft = _draft(note)
    assert (draft.hope, draft.version) == ("Tab one", seen + 1)


def test_the_same_text_with_an_old_version_is_not_a_conflict(client_for, note):
    client = client_for("peer", "en")
    seen = _draft(note).version
    autosave = client.post(
        reverse("journal:note_autosave", args=[note.pk]),
        {"step": "hope", "version": seen, "hope": "A walk"},
    )
    assert f'value="{seen + 1}" hx-swap-oob="true"' in autosave.content.decode()
    # The "next" button crosses the autosave: the same text, sent with the old version.
    response = client.post(
        _write_url(note), {"step": "hope", "version": seen, "hope": "A walk", "next": "1"}
    )
    assert response.status_code == 302
    assert response.url == _write_url(note, "identity")
    draft = _draft(note)
    assert (draft.hope, draft.version) == ("A walk", seen + 1)


def test_the_same_text_through_autosave_with_an_old_version_is_not_a_conflict(client_for, note):
    client = client_for("peer", "en")
    url = reverse("journal:note_autosave", args=[note.pk])
    seen = _draft(note).version
    client.post(url, {"step": "hope", "version": seen, "hope": "A walk"})
    response = client.post(url, {"step": "hope", "version": seen, "hope": "A walk"})
    content = response.content.decode()
    assert "Not saved" not in content
    assert f'value="{seen + 1}" hx-swap-oob="true"' in content


# Approval -----------------------------------------------------------------------------


def _fill(note):
    draft = _draft(note)
    services.draft_save(
        draft=draft,
        by=None,
        expected_version=draft.version,
        changes={"hope": "A walk by the sea", "next_steps": "Meet on Monday"},
    )
    return _draft(note)


def test_the_approve_step_shows_the_note_to_read_together(client_for, note):
    _fill(note)
    response = client_for("peer", "en").get(_write_url(note, "approve"))
    content = _text(response)
    assert (
        "Read the note together. It becomes final only when you agree with every word." in content
    )
    assert "A walk by the sea" in content and "Meet on Monday" in content
    assert "I have read the note, and it says what I want it to say." in content


def test_approving_without_the_tick_is_refused(client_for, note):
    draft = _fill(note)
    response = client_for("peer", "en").post(
        _write_url(note), {"step": "approve", "version": draft.version}
    )
    assert response.status_code == 200
    assert "The patient ticks this box to approve the note." in _text(response)
    note.refresh_from_db()
    assert (note.status, note.current) == (Note.Status.DRAFT, None)


def test_approving_with_the_tick_makes_the_note_final(client_for, note):
    draft = _fill(note)
    response = client_for("peer", "en").post(
        _write_url(note),
        {"step": "approve", "version": draft.version, "confirmed": "on"},
        follow=True,
    )
    assert response.redirect_chain == [(note.get_absolute_url(), 302)]
    assert "The patient approved the note. It is final now." in _text(response)
    note.refresh_from_db()
    assert (note.status, note.current_id) == (Note.Status.FINAL, draft.pk)
    assert note.current.status == NoteVersion.Status.APPROVED


def test_approving_an_empty_note_through_the_page_is_refused(client_for, note):
    response = client_for("peer", "en").post(
        _write_url(note),
        {"step": "approve", "version": _draft(note).version, "confirmed": "on"},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Write at least one of the five CHIME sections before the patient approves."
    ]
    assert "Write at least one of the five CHIME sections before the patient approves." in (
        _text(response)
    )
    note.refresh_from_db()
    assert note.status == Note.Status.DRAFT


def test_approving_a_draft_changed_since_it_was_shown_is_refused(client_for, note):
    shown = _fill(note).version
    draft = _draft(note)
    services.draft_save(
        draft=draft, by=None, expected_version=draft.version, changes={"hope": "Changed"}
    )
    response = client_for("peer", "en").post(
        _write_url(note), {"step": "approve", "version": shown, "confirmed": "on"}
    )
    assert response.status_code == 200
    assert (
        "The draft changed after it was shown. Read it again with the patient before approving."
        in _text(response)
    )
    note.refresh_from_db()
    assert note.status == Note.Status.DRAFT


def test_after_approval_the_writing_page_sends_you_to_the_note(client_for, note):
    draft = _fill(note)
    services.note_approve(note=note, by=None, expected_version=draft.version)
    response = client_for("peer", "en").get(_write_url(note, "hope"), follow=True)
    assert response.redirect_chain == [(note.get_absolute_url(), 302)]
    assert "The note has no draft. Use “Change the note” to write a new version." in _text(response)
    assert not NoteAccess.objects.filter(action="cowrite").exists()


def test_changing_a_final_note_opens_the_writing_page_for_version_2(client_for, note):
    draft = _fill(note)
    services.note_approve(note=note, by=None, expected_version=draft.version)
    response = client_for("peer", "en").post(reverse("journal:note_revise", args=[note.pk]))
    assert response.status_code == 302
    assert response.url == _write_url(note, "connectedness")
    assert list(note.versions.values_list("number", "status")) == [(1, "approved"), (2, "draft")]
    page = client_for("peer", "en").get(_write_url(note, "hope"))
    assert _textarea(_text(page), "id_hope") == "A walk by the sea"
