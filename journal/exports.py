"""The statistics as a spreadsheet: the same figures as the page, one row per month."""

from __future__ import annotations

import tablib
from django.utils.translation import gettext as _

from peerprogram.models import field_label

from .models import CHIME_FIELDS, NoteVersion
from .selectors import Statistics


def statistics_dataset(stats: Statistics) -> tablib.Dataset:
    chime = [field_label(NoteVersion, name) for name in CHIME_FIELDS]
    data = tablib.Dataset(
        title=_("Statistics")[:31],
        headers=[
            *([_("Unit")] if stats.by_unit else [_("Peer worker"), _("Unit")]),
            _("Month"),
            _("Conversations"),
            _("Bridge-building"),
            _("Other peer activities"),
            _("Group sessions"),
            _("Minutes"),
            *chime,
            _("Referrals received"),
            _("Referrals accepted"),
            _("Contracted hours"),
            _("Conversations per contracted hour"),
            _("Far from the usual level"),
        ],
    )
    flags = {"low": _("below"), "high": _("above"), "": ""}
    for row in stats.rows:
        for month, f in zip(stats.months, row.months, strict=True):
            data.append(
                [
                    *([row.label] if stats.by_unit else [row.label, row.unit.name]),
                    month.strftime("%Y-%m"),
                    f.conversations,
                    f.bridge,
                    f.other,
                    f.group_sessions,
                    f.minutes,
                    *[f.chime[name] for name in CHIME_FIELDS],
                    f.referrals,
                    f.accepted,
                    round(f.contracted_hours, 1),
                    "" if f.per_hour is None else round(f.per_hour, 2),
                    flags[f.flag],
                ]
            )
    return data
