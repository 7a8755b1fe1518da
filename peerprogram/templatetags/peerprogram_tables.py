"""Template tags of the core's tables written in Python."""

from __future__ import annotations

from django import template

from peerprogram import tables

register = template.Library()

register.simple_tag(tables.peer_rows, name="peer_rows")
register.simple_tag(tables.unit_rows, name="unit_rows")
register.simple_tag(tables.staff_rows, name="staff_rows")
