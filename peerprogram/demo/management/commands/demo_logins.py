from typing import Any

from django.core.management.base import BaseCommand

LOGINS = [
    ("admin", "Administrator: everything, including Django admin"),
    ("center", "Centre staff (Center for Recovery og Samskabelse): the whole programme"),
    ("leder", "Leader of F-ACT Aalborg Øst, which has a peer worker"),
    ("mentor", "Mentor of that peer worker (nurse in F-ACT Aalborg Øst)"),
    ("peer", "Peer worker in F-ACT Aalborg Øst, employed since 1 September 2020"),
    ("leder2", "Leader of F-ACT Hjørring (another unit)"),
    ("peer2", "Peer worker in F-ACT Hjørring"),
]


class Command(BaseCommand):
    help = "Print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("\nDemo logins (password: demo)")
        for username, role in LOGINS:
            self.stdout.write(f"  {username:<8} {role}")
        self.stdout.write("")
