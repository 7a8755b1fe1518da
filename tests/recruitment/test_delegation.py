"""A leader hands a checklist task to the mentor or the peer worker; they see it on their
page of delegated tasks and on their home page, and tick it there."""

import pytest
from django.urls import reverse
from django.utils import timezone

from recruitment import services
from recruitment.models import ChecklistItem

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _item(cast):
    onboarding = services.onboarding_create(unit=cast.unit, peer=cast.peer)
    return onboarding.items.get(title="Oplæring i dokumentation efter CHIME")


def test_the_leader_delegates_a_task_and_the_mentor_ticks_it(client_for, cast):
    item = _item(cast)
    client = client_for("leader")
    edit = reverse("recruitment:checklist_item_edit", args=[item.pk])
    offered = list(client.get(edit).context["form"].fields["assignee"].queryset)
    assert cast.mentor in offered
    assert cast.peer.staff_member in offered and cast.outsider not in offered
    response = client.post(
        edit, {"due_override": "", "note": "", "assignee": cast.mentor.pk, "version": item.version}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.assignee == cast.mentor
    # The checklist names the person instead of the role.
    page = client.get(reverse("recruitment:checklist", args=[item.onboarding_id]))
    assert "Mads Mentor" in page.content.decode()

    mentor = client_for("mentor")
    home = mentor.get(reverse("peerprogram:home"))
    (line,) = [a for a in home.context["todo"].items if a.kind == "delegated"]
    assert (line.text, line.url) == (
        "1 opgave fra en tjekliste er givet til dig",
        reverse("recruitment:delegated_tasks"),
    )
    tasks = mentor.get(reverse("recruitment:delegated_tasks"))
    assert [row[0] for row in tasks.context["rows"]] == [item]
    response = mentor.post(
        reverse("recruitment:checklist_item_toggle", args=[item.pk]),
        {"done": "1", "version": item.version},
    )
    assert response["Location"] == reverse("recruitment:delegated_tasks")
    item.refresh_from_db()
    assert item.done_on == TODAY() and item.done_by == cast.mentor.user
    # The checklist itself stays the leader's: the mentor cannot open it.
    assert (
        mentor.get(reverse("recruitment:checklist", args=[item.onboarding_id])).status_code == 404
    )


def test_a_task_not_delegated_cannot_be_ticked_by_the_mentor(client_for, cast):
    item = _item(cast)
    other = (
        ChecklistItem.objects.filter(onboarding=item.onboarding, derived_from="")
        .exclude(pk=item.pk)
        .first()
    )
    response = client_for("mentor").post(
        reverse("recruitment:checklist_item_toggle", args=[other.pk]),
        {"done": "1", "version": other.version},
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.done_on is None
