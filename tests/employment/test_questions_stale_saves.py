"""The staff group's questions refuse a save made on a form opened before someone else saved
one of them: nothing of that save is written (not even its new questions), and what was
typed is shown again. (Every edit page's stale save: tests/peerprogram/test_stale_saves.py.)"""

import pytest
from django.urls import reverse

from employment import services
from employment.models import StaffQuestion
from peerprogram.models import AuditEvent
from peerprogram.services import ConcurrentEditError, RowEdits

pytestmark = pytest.mark.django_db

URL = reverse("employment:questions_edit")
REFUSED = (
    "Someone else saved this record while you were editing it. Nothing was overwritten: "
    "your changes are still in the form below. Reload the page to see their version, then "
    "make your changes again."
)


def _opened() -> list[dict]:
    """The questions as the page shows them: each with the version it is opened at."""
    return list(StaffQuestion.objects.values("pk", "question", "answer", "order", "version"))


def _posted(opened, *, changed=None, removed=(), added=()) -> dict:
    """The page's form as posted: `changed` {pk: new question}, `removed` pks, `added`
    new questions."""
    changed = changed or {}
    data = {
        "form-TOTAL_FORMS": str(len(opened) + len(added)),
        "form-INITIAL_FORMS": str(len(opened)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(opened):
        data.update(
            {
                f"form-{i}-id": row["pk"],
                f"form-{i}-question": changed.get(row["pk"], row["question"]),
                f"form-{i}-answer": row["answer"],
                f"form-{i}-order": row["order"],
                f"form-{i}-version": row["version"],
            }
        )
        if row["pk"] in removed:
            data[f"form-{i}-DELETE"] = "on"
    for i, question in enumerate(added, start=len(opened)):
        data.update(
            {f"form-{i}-question": question, f"form-{i}-answer": "Spørg.", f"form-{i}-order": "9"}
        )
    return data


def test_a_stale_save_is_refused_with_its_new_questions_and_keeps_what_was_typed(client_for):
    client = client_for("centre", "en")
    opened = _opened()
    first = opened[0]["pk"]
    assert client.post(URL, _posted(opened, changed={first: "Hvem er hun?"})).status_code == 302
    stored = _opened()

    response = client.post(
        URL, _posted(opened, changed={first: "Hvad laver hun?"}, added=["Må hun skrive i EPJ?"])
    )

    assert response.status_code == 200
    assert response.context["formset"].non_form_errors() == [REFUSED]
    content = response.content.decode()
    assert "Hvad laver hun?" in content and "Må hun skrive i EPJ?" in content
    assert _opened() == stored


def test_a_question_changed_meanwhile_is_not_removed(client_for):
    client = client_for("centre", "en")
    opened = _opened()
    first = opened[0]["pk"]
    client.post(URL, _posted(opened, changed={first: "Hvem er hun?"}))

    response = client.post(URL, _posted(opened, removed=[first]))

    assert response.context["formset"].non_form_errors() == [REFUSED]
    assert StaffQuestion.objects.get(pk=first).question == "Hvem er hun?"


def test_after_a_reload_the_same_change_is_saved(client_for):
    client = client_for("centre", "en")
    first = _opened()[0]["pk"]
    client.post(URL, _posted(_opened(), changed={first: "Hvem er hun?"}))

    response = client.post(URL, _posted(_opened(), changed={first: "Hvad laver hun?"}))

    assert response.status_code == 302
    question = StaffQuestion.objects.get(pk=first)
    assert (question.question, question.version) == ("Hvad laver hun?", 3)


def test_a_form_without_versions_is_checked_as_the_questions_are_read(client_for):
    """A form posted without the versions (not this page's) is saved as before."""
    data = _posted(_opened(), changed={_opened()[0]["pk"]: "Hvem er hun?"})
    data = {key: value for key, value in data.items() if not key.endswith("-version")}

    assert client_for("centre").post(URL, data).status_code == 302


def test_a_question_removed_meanwhile_is_not_saved_again(cast):
    question = StaffQuestion.objects.first()
    stale = StaffQuestion.objects.get(pk=question.pk)
    question.delete()
    edits = RowEdits(
        changed=[(stale, stale.version, {"question": "Hvem er hun?"})],
        added=[{"question": "Ny?", "answer": "Ja.", "order": 9}],
    )

    with pytest.raises(ConcurrentEditError):
        services.questions_save(edits=edits, by=cast.centre.user)

    assert not StaffQuestion.objects.filter(pk=question.pk).exists()
    assert not StaffQuestion.objects.filter(question="Ny?").exists()


def test_the_audit_rows_name_what_changed(cast):
    question = StaffQuestion.objects.first()
    services.questions_save(
        edits=RowEdits(
            changed=[(question, question.version, {"question": "Hvem er hun?"})],
            added=[{"question": "Må hun skrive i EPJ?", "answer": "Ja.", "order": 9}],
        ),
        by=cast.centre.user,
    )
    added = StaffQuestion.objects.get(question="Må hun skrive i EPJ?")
    summaries = dict(
        AuditEvent.objects.filter(object_type="employment.staffquestion").values_list(
            "object_id", "summary"
        )
    )
    assert summaries == {question.pk: "question", added.pk: "Må hun skrive i EPJ?"}


@pytest.mark.parametrize("value", ["99999999999999999999999", "-1", "²"])
def test_a_question_named_by_what_cannot_be_an_id_is_not_saved(client_for, value):
    opened = _opened()
    data = _posted(opened, changed={opened[0]["pk"]: "Hvem er hun?"})
    data["form-0-id"] = value

    response = client_for("centre", "en").post(URL, data)

    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["id"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert _opened() == opened
