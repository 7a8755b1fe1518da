"""Each peer worker's month keeps the referrals made to them (by the local day they were
made), and of them accepted: the statistics no longer count referrals on every request.
Counted here once from the referrals already made, with the models of this migration."""

from django.db import migrations, models
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone


def count(apps, schema_editor):
    Referral = apps.get_model("journal", "Referral")
    PeerMonth = apps.get_model("journal", "PeerMonth")
    counted = {}
    rows = (
        Referral.objects.annotate(month=TruncMonth("created_at"))
        .values("peer_id", "month")
        .annotate(received=Count("pk"), accepted=Count("pk", filter=Q(status="accepted")))
        .order_by()
    )
    for r in rows:
        month = timezone.localtime(r["month"]).date().replace(day=1)
        received, accepted = counted.get((r["peer_id"], month), (0, 0))
        counted[(r["peer_id"], month)] = (received + r["received"], accepted + r["accepted"])
    PeerMonth.objects.bulk_create(
        [PeerMonth(peer_id=peer_id, month=month) for peer_id, month in sorted(counted)],
        batch_size=2000,
        ignore_conflicts=True,
    )
    changed = []
    for row in PeerMonth.objects.order_by("pk").iterator(chunk_size=2000):
        if (key := (row.peer_id, row.month)) in counted:
            row.referrals, row.accepted = counted[key]
            changed.append(row)
    PeerMonth.objects.bulk_update(changed, ["referrals", "accepted"], batch_size=2000)


class Migration(migrations.Migration):

    dependencies = [
        ('journal', '0003_referral_peer_created'),
    ]

    operations = [
        migrations.AddField(
            model_name='peermonth',
            name='accepted',
            field=models.PositiveIntegerField(default=0, verbose_name='referrals accepted'),
        ),
        migrations.AddField(
            model_name='peermonth',
            name='referrals',
            field=models.PositiveIntegerField(default=0, verbose_name='referrals received'),
        ),
        migrations.RunPython(count, migrations.RunPython.noop),
    ]
