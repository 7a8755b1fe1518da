"""The task to inform the patients is read from the employment app: done when the leaflet
"Mød din peermedarbejder" is made from the peer worker's approved presentation (where
nobody ticked it yet)."""

from django.db import migrations

TITLE = "Informér patienterne og aftal henvisning"
DESCRIPTION = (
    "Lav folderen “Mød din peermedarbejder” ud fra peermedarbejderens egen præsentation, og "
    "aftal, hvordan kolleger skaber kontakt mellem patienter og peermedarbejderen: patienten "
    "selv, kontaktpersonen, handleplanen eller opstartssamtalen, andet."
)


def upgrade(apps, schema_editor):
    Template = apps.get_model("recruitment", "ChecklistTemplateItem")
    Item = apps.get_model("recruitment", "ChecklistItem")
    Template.objects.filter(title=TITLE).update(description=DESCRIPTION, derived_from="leaflet_made")
    Item.objects.filter(title=TITLE).update(description=DESCRIPTION)
    Item.objects.filter(title=TITLE, derived_from="", done_on__isnull=True).update(
        derived_from="leaflet_made"
    )


class Migration(migrations.Migration):
    dependencies = [("recruitment", "0007_leaflet_choice")]

    operations = [migrations.RunPython(upgrade, migrations.RunPython.noop)]
