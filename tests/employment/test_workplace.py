"""Preparing the workplace: the staff group's questions the Centre keeps and a leader
prints; the leaflet "Mød din peermedarbejder" from the peer worker's own approved words,
which ticks the checklist's task to inform the patients."""

import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from employment import services
from employment.models import Presentation, StaffQuestion
from recruitment import services as recruitment_services
from recruitment.models import DerivedFrom

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _pdf_text(response, tmp_path) -> str:
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "out.pdf"
    path.write_bytes(response.content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_centre_keeps_the_questions_and_a_leader_prints_them(client_for, cast, tmp_path):
    assert StaffQuestion.objects.filter(question="Får vi en patient som kollega?").exists()
    client = client_for("centre")
    questions = list(StaffQuestion.objects.all())
    data = {
        "form-TOTAL_FORMS": str(len(questions) + 2),
        "form-INITIAL_FORMS": str(len(questions)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for i, q in enumerate(questions):
        data.update(
            {
                f"form-{i}-id": q.pk,
                f"form-{i}-question": q.question,
                f"form-{i}-answer": q.answer,
                f"form-{i}-order": q.order,
            }
        )
    data[f"form-{len(questions) - 1}-DELETE"] = "on"
    data.update(
        {
            f"form-{len(questions)}-question": "Hvem tager peermedarbejderen sig af?",
            f"form-{len(questions)}-answer": "Patienter, der selv ønsker det.",
            f"form-{len(questions)}-order": "5",
            # The second empty row as the browser sends it: its order field prefilled.
            f"form-{len(questions) + 1}-order": "0",
        }
    )
    response = client.post(reverse("employment:questions_edit"), data)
    assert response.status_code == 302
    assert StaffQuestion.objects.count() == len(questions)
    assert StaffQuestion.objects.first().question == "Hvem tager peermedarbejderen sig af?"
    assert client_for("leader").get(reverse("employment:questions_edit")).status_code == 404
    text = _pdf_text(client_for("leader").get(reverse("employment:questions_pdf")), tmp_path)
    assert "Hvem tager peermedarbejderen sig af?" in text and "Side 1 af" in text


def test_the_leaflet_is_made_from_the_peer_workers_own_approved_words(client_for, cast, tmp_path):
    onboarding = recruitment_services.onboarding_create(unit=cast.unit, peer=cast.peer)
    item = onboarding.items.get(derived_from=DerivedFrom.LEAFLET_MADE)
    leaflet = reverse("employment:leaflet", args=[cast.peer.pk])
    # Nothing to make before the peer worker has approved a text.
    response = client_for("leader").post(reverse("employment:leaflet_make", args=[cast.peer.pk]))
    assert response.status_code == 302
    assert not Presentation.objects.exists()
    peer = client_for("peer")
    url = reverse("employment:presentation_edit", args=[cast.peer.pk])
    peer.post(url, {"text": "Jeg er Pia. Jeg ved, hvordan det er at være indlagt.", "version": 1})
    presentation = Presentation.objects.get()
    assert presentation.approved_on is None
    assert (
        client_for("leader").get(reverse("employment:leaflet_pdf", args=[cast.peer.pk])).status_code
        == 404
    )
    # (client_for logs the one test client in as the role asked for.)
    client_for("peer").post(
        url,
        {"text": presentation.text, "approve": "on", "version": presentation.version},
    )
    presentation.refresh_from_db()
    assert presentation.approved_on == TODAY()
    # A leader cannot write the peer worker's words.
    assert client_for("leader").get(url).status_code == 404
    response = client_for("leader").post(
        reverse("employment:leaflet_make", args=[cast.peer.pk]), {"size": "a4"}
    )
    assert response["Location"].endswith("?size=a4")
    text = _pdf_text(client_for("leader").get(response["Location"]), tmp_path)
    assert "Mød din\npeermedarbejder" in text and "Jeg ved, hvordan det er" in text
    presentation.refresh_from_db()
    assert presentation.leaflet_made_on == TODAY()
    page = client_for("leader").get(reverse("recruitment:checklist", args=[onboarding.pk]))
    assert f"Udført {TODAY():%d.%m.%Y}" in page.content.decode()
    item.refresh_from_db()
    assert item.derived_from == DerivedFrom.LEAFLET_MADE
    assert leaflet


def test_a_changed_presentation_needs_the_approval_again(cast):
    presentation = services.presentation_save(
        peer=cast.peer,
        by=cast.peer.staff_member.user,
        text="Første",
        approve=True,
        expected_version=1,
    )
    presentation = services.presentation_save(
        peer=cast.peer,
        by=cast.peer.staff_member.user,
        text="Anden",
        approve=False,
        expected_version=presentation.version,
    )
    assert presentation.approved_on is None
