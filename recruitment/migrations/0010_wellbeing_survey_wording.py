"""The guides' word: "trivselsundersøgelse", not "trivselsmåling", in the standard
checklist's yearly task and in the checklists already copied from it."""

from django.db import migrations

OLD = "Første MUS-samtale og trivselsmåling"
NEW = "Første MUS-samtale og trivselsundersøgelse"


def forwards(apps, schema_editor):
    for model in ("ChecklistTemplateItem", "ChecklistItem"):
        apps.get_model("recruitment", model).objects.filter(title=OLD).update(title=NEW)


class Migration(migrations.Migration):
    dependencies = [("recruitment", "0009_checklist_item_assignee")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
