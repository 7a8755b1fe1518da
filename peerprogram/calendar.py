"""iCalendar helpers shared by the apps' .ics files and feeds."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.text import slugify


def ics_response(body: bytes, name: str) -> HttpResponse:
    """An .ics file to download, named in plain ASCII."""
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    filename = slugify(danish_ascii(name)) or "kalender"
    response["Content-Disposition"] = f'attachment; filename="{filename}.ics"'
    return response


def danish_ascii(text: str) -> str:
    """For file names: æ, ø and å as ae, oe and aa rather than dropped."""
    for letter, plain in (
        ("æ", "ae"),
        ("ø", "oe"),
        ("å", "aa"),
        ("Æ", "Ae"),
        ("Ø", "Oe"),
        ("Å", "Aa"),
    ):
        text = text.replace(letter, plain)
    return text
