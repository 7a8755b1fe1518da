"""Count the statistics' monthly figures again from the notes, e.g. after a bulk load."""

from typing import Any

from django.core.management.base import BaseCommand

from journal.services import peer_months_refresh


class Command(BaseCommand):
    help = (
        "Count every peer worker's monthly figures (the statistics) again from the final "
        "notes and the group notes. The journal's services keep them up to date; run this "
        "after loading notes some other way, for example seed_scale."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        months = peer_months_refresh()
        self.stdout.write(f"Counted {months} month(s) of peer work.")
