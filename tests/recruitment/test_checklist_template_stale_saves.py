"""An item of the standard checklist refuses a save made on a form opened before someone
else saved it, and its audit row names the fields that changed. (Every edit page's stale
save: tests/peerprogram/test_stale_saves.py.)"""

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from peerprogram.models import AuditEvent
from peerprogram.services import ConcurrentEditError
from recruitment import services
from recruitment.models import ChecklistTemplateItem

pytestmark = pytest.mark.django_db

REFUSED = (
    "Someone else saved this record while you were editing it. Nothing was overwritten: "
    "your changes are still in the form below. Reload the page to see their version, then "
    "make your changes again."
)


def _form(item: ChecklistTemplateItem, **changes) -> dict:
    """The item's edit form as posted: its fields, its version when opened, `changes`."""
    data = {k: v for k, v in model_to_dict(item).items() if k not in ("id", "version")}
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    return {**data, "version": item.version, **changes}


def _summary(item: ChecklistTemplateItem) -> str:
    return (
        AuditEvent.objects.filter(
            object_type="recruitment.checklisttemplateitem", object_id=item.pk
        )
        .latest("pk")
        .summary
    )


def test_a_stale_save_of_a_standard_task_is_refused_and_keeps_what_was_typed(client_for):
    item = ChecklistTemplateItem.objects.first()
    url = reverse("recruitment:checklist_template_item", args=[item.pk])
    client = client_for("centre", "en")
    first = client.post(url, _form(item, offset_days="3"))
    assert first["Location"] == reverse("recruitment:checklist_template")
    assert _summary(item) == "offset_days"

    response = client.post(url, _form(item, title="Nøglekort og adgang"))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [REFUSED]
    assert "Nøglekort og adgang" in response.content.decode()
    stored = ChecklistTemplateItem.objects.get(pk=item.pk)
    assert (stored.title, stored.offset_days, stored.version) == (item.title, 3, item.version + 1)


def test_a_change_without_a_version_is_checked_against_the_item_as_read(cast):
    item = ChecklistTemplateItem.objects.first()
    stale = ChecklistTemplateItem.objects.get(pk=item.pk)
    services.checklist_template_item_save(item=item, by=cast.centre.user, order=99)

    with pytest.raises(ConcurrentEditError):
        services.checklist_template_item_save(item=stale, by=cast.centre.user, active=False)

    item.refresh_from_db()
    assert (item.order, item.active) == (99, True)


def test_a_new_standard_task_starts_at_the_first_version(client_for):
    response = client_for("centre", "en").post(
        reverse("recruitment:checklist_template_item_add"),
        {
            "phase": "before",
            "title": "Bestil navneskilt",
            "responsible": "leader",
            "anchor": "start",
            "offset_days": "-7",
            "order": "5",
            "active": "on",
        },
    )
    item = ChecklistTemplateItem.objects.get(title="Bestil navneskilt")
    assert response["Location"] == reverse("recruitment:checklist_template")
    assert (item.version, _summary(item)) == (1, "Bestil navneskilt")
