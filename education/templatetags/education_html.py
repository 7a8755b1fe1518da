"""Template tags of the education pages' tables written in Python."""

from __future__ import annotations

from django import template

from education import html

register = template.Library()

register.simple_tag(html.participant_rows, name="participant_rows")
