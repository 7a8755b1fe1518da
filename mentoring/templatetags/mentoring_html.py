"""Template access to the mentoring markup written in Python (mentoring.html)."""

from django import template

from mentoring import html

register = template.Library()

register.simple_tag(html.overview_rows, name="mentoring_overview_rows")
