"""The standard course's description: "à fem timer" (each of five hours), not "á"."""

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Replace


def forwards(apps, schema_editor):
    Course = apps.get_model("education", "Course")
    Course.objects.filter(description__contains="á fem timer").update(
        description=Replace("description", Value("á fem timer"), Value("à fem timer"))
    )


class Migration(migrations.Migration):
    dependencies = [("education", "0003_supervisor_organisation")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
