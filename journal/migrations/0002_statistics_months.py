"""The statistics' monthly figures: one row per peer worker and month (PeerMonth) and one
per month of the whole programme (ProgrammeMonth), counted here from what is already written.

The counting is written out with the models as they are at this migration, so it keeps
working when the code changes; `manage.py rebuild_statistics` does the same with today's code.
"""

from django.db import migrations, models
import django.db.models.deletion
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

CHIME_FIELDS = ("connectedness", "hope", "identity", "meaning", "empowerment")
COUNTED = (
    "notes",
    "conversations",
    "bridge",
    "other",
    "minutes",
    "group_sessions",
    "connectedness",
    "hope",
    "identity",
    "meaning",
    "empowerment",
)


def add_up(apps, schema_editor):
    """The programme's months from the peer workers' months and the referrals (by the local
    day they were made), with the models as they are at this migration."""
    PeerMonth = apps.get_model("journal", "PeerMonth")
    Referral = apps.get_model("journal", "Referral")
    ProgrammeMonth = apps.get_model("journal", "ProgrammeMonth")
    months = {}
    sums = PeerMonth.objects.values("month").annotate(**{f"n_{n}": Sum(n) for n in COUNTED})
    for r in sums.order_by():
        row = months.setdefault(r["month"], ProgrammeMonth(month=r["month"]))
        for name in COUNTED:
            setattr(row, name, r[f"n_{name}"])
    referrals = (
        Referral.objects.annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(received=Count("pk"), accepted=Count("pk", filter=Q(status="accepted")))
        .order_by()
    )
    for r in referrals:
        month = timezone.localtime(r["month"]).date().replace(day=1)
        row = months.setdefault(month, ProgrammeMonth(month=month))
        row.referrals, row.accepted = r["received"], r["accepted"]
    ProgrammeMonth.objects.bulk_create([months[m] for m in sorted(months)], batch_size=2000)


def count(apps, schema_editor):
    NoteVersion = apps.get_model("journal", "NoteVersion")
    GroupNote = apps.get_model("journal", "GroupNote")
    PeerMonth = apps.get_model("journal", "PeerMonth")
    months = {}

    def month_of(peer_id, month):
        month = month.replace(day=1)
        return months.setdefault((peer_id, month), PeerMonth(peer_id=peer_id, month=month))

    notes = (
        NoteVersion.objects.filter(current_of__status="final")
        .annotate(month=TruncMonth("date"))
        .values("current_of__peer_id", "month")
        .annotate(
            n_notes=Count("pk"),
            n_minutes=Sum("minutes"),
            n_conversations=Count("pk", filter=Q(activity="conversation")),
            n_bridge=Count("pk", filter=Q(activity="bridge")),
            n_other=Count("pk", filter=Q(activity="other")),
            **{f"n_{name}": Count("pk", filter=~Q(**{name: ""})) for name in CHIME_FIELDS},
        )
        .order_by()
    )
    for r in notes:
        row = month_of(r["current_of__peer_id"], r["month"])
        for name in ("notes", "conversations", "bridge", "other", *CHIME_FIELDS):
            setattr(row, name, r[f"n_{name}"])
        row.minutes = r["n_minutes"] or 0
    groups = (
        GroupNote.objects.annotate(month=TruncMonth("date"))
        .values("peer_id", "month")
        .annotate(
            n_sessions=Count("pk"),
            n_minutes=Sum("minutes"),
            **{f"n_{name}": Count("pk", filter=Q(**{name: True})) for name in CHIME_FIELDS},
        )
        .order_by()
    )
    for r in groups:
        row = month_of(r["peer_id"], r["month"])
        row.group_sessions = r["n_sessions"]
        row.minutes += r["n_minutes"] or 0
        for name in CHIME_FIELDS:
            setattr(row, name, getattr(row, name) + r[f"n_{name}"])
    PeerMonth.objects.bulk_create(
        [months[key] for key in sorted(months)], batch_size=2000
    )



def count_all(apps, schema_editor):
    count(apps, schema_editor)
    add_up(apps, schema_editor)


def forget(apps, schema_editor):
    apps.get_model("journal", "PeerMonth").objects.all().delete()
    apps.get_model("journal", "ProgrammeMonth").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("journal", "0001_initial"),
        ("peerprogram", "0002_unit_name_and_text_rules"),
    ]

    operations = [
        migrations.CreateModel(
            name='PeerMonth',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(help_text='The first day of the month.', verbose_name='month')),
                ('notes', models.PositiveIntegerField(default=0, verbose_name='notes')),
                ('conversations', models.PositiveIntegerField(default=0, verbose_name='conversations')),
                ('bridge', models.PositiveIntegerField(default=0, verbose_name='bridge-building')),
                ('other', models.PositiveIntegerField(default=0, verbose_name='other peer activities')),
                ('minutes', models.PositiveIntegerField(default=0, verbose_name='minutes')),
                ('group_sessions', models.PositiveIntegerField(default=0, verbose_name='group sessions')),
                ('connectedness', models.PositiveIntegerField(default=0, verbose_name='Connectedness')),
                ('hope', models.PositiveIntegerField(default=0, verbose_name='Hope')),
                ('identity', models.PositiveIntegerField(default=0, verbose_name='Identity')),
                ('meaning', models.PositiveIntegerField(default=0, verbose_name='Meaning')),
                ('empowerment', models.PositiveIntegerField(default=0, verbose_name='Empowerment')),
                ('peer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='peerprogram.peerworker', verbose_name='peer worker')),
            ],
            options={
                'verbose_name': 'month of peer work',
                'verbose_name_plural': 'months of peer work',
                'ordering': ['month', 'peer_id'],
                'indexes': [models.Index(fields=['month'], name='journal_pee_month_5b7992_idx')],
                'constraints': [models.UniqueConstraint(fields=('peer', 'month'), name='peer_month_unique')],
            },
        ),
        migrations.CreateModel(
            name='ProgrammeMonth',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('notes', models.PositiveIntegerField(default=0, verbose_name='notes')),
                ('conversations', models.PositiveIntegerField(default=0, verbose_name='conversations')),
                ('bridge', models.PositiveIntegerField(default=0, verbose_name='bridge-building')),
                ('other', models.PositiveIntegerField(default=0, verbose_name='other peer activities')),
                ('minutes', models.PositiveIntegerField(default=0, verbose_name='minutes')),
                ('group_sessions', models.PositiveIntegerField(default=0, verbose_name='group sessions')),
                ('connectedness', models.PositiveIntegerField(default=0, verbose_name='Connectedness')),
                ('hope', models.PositiveIntegerField(default=0, verbose_name='Hope')),
                ('identity', models.PositiveIntegerField(default=0, verbose_name='Identity')),
                ('meaning', models.PositiveIntegerField(default=0, verbose_name='Meaning')),
                ('empowerment', models.PositiveIntegerField(default=0, verbose_name='Empowerment')),
                ('month', models.DateField(help_text='The first day of the month.', unique=True, verbose_name='month')),
                ('referrals', models.PositiveIntegerField(default=0, verbose_name='referrals received')),
                ('accepted', models.PositiveIntegerField(default=0, verbose_name='referrals accepted')),
            ],
            options={
                'verbose_name': 'month of the programme',
                'verbose_name_plural': 'months of the programme',
                'ordering': ['month'],
            },
        ),
        migrations.RunPython(count_all, forget),
    ]
