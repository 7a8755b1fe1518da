"""Databases made before the education existed: the two education items become facts read
from the education (where nobody ticked them yet), and the theme day joins the checklist.
New databases get all of this from 0002 and this migration finds nothing to do."""

import importlib

from django.db import migrations

standard = importlib.import_module("recruitment.migrations.0002_standard_checklist")

DERIVED = {
    "Tilmeld de obligatoriske kurser": "mandatory_courses",
    "Tilmeld peeruddannelsen": "education_enrolled",
}


def upgrade(apps, schema_editor):
    Template = apps.get_model("recruitment", "ChecklistTemplateItem")
    Item = apps.get_model("recruitment", "ChecklistItem")
    Onboarding = apps.get_model("recruitment", "Onboarding")
    if not Template.objects.exists():
        return  # an empty database: 0002's loader fills it when it is needed
    for title, kind in DERIVED.items():
        Template.objects.filter(title=title, derived_from="").update(derived_from=kind)
        Item.objects.filter(title=title, derived_from="", done_on__isnull=True).update(
            derived_from=kind
        )
    theme = Template.objects.filter(anchor="education_completed").first()
    if theme is None:
        theme = Template.objects.create(
            phase="after",
            title=standard.THEME_DAY_TITLE,
            description=standard.THEME_DAY_DESCRIPTION,
            responsible="leader",
            anchor="education_completed",
            offset_days=60,
            guide_reference="Lederguiden s. 17",
            order=275,
        )
    Item.objects.bulk_create(
        Item(
            onboarding=onboarding,
            template=theme,
            phase=theme.phase,
            title=theme.title,
            description=theme.description,
            responsible=theme.responsible,
            anchor=theme.anchor,
            offset_days=theme.offset_days,
            guide_reference=theme.guide_reference,
            order=theme.order,
        )
        for onboarding in Onboarding.objects.exclude(items__anchor="education_completed")
    )


class Migration(migrations.Migration):
    dependencies = [("recruitment", "0004_education_facts")]

    operations = [migrations.RunPython(upgrade, migrations.RunPython.noop)]
