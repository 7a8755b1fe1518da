"""Template access to the checklist markup written in Python (recruitment.html)."""

from django import template

from recruitment import html

register = template.Library()

register.simple_tag(html.progress_bar, name="progress_bar")
register.simple_tag(html.overview_rows, name="checklist_overview_rows")
register.simple_tag(html.checklist_rows, name="checklist_rows")
