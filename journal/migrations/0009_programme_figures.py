# The programme's level kept by the daily run becomes its figures: the level and the
# complete months' totals, and when they were worked out.

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("journal", "0008_programme_level"),
    ]

    operations = [
        migrations.RenameModel(old_name="ProgrammeLevel", new_name="ProgrammeFigures"),
        migrations.AlterModelOptions(
            name="programmefigures",
            options={
                "ordering": ["-day"],
                "verbose_name": "programme figures",
                "verbose_name_plural": "programme figures",
            },
        ),
        migrations.AddField(
            model_name="programmefigures",
            name="made_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, verbose_name="worked out at"
            ),
        ),
        migrations.AddField(
            model_name="programmefigures",
            name="month_totals",
            field=models.JSONField(default=dict, verbose_name="totals of the complete months"),
        ),
    ]
