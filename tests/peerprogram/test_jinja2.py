"""The Jinja2 environment of the statistics' tables escapes as Django's templates do."""

import pytest
from django.template import engines
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

HOSTILE = '<script>alert("x")</script> & co\'s'


@pytest.mark.parametrize(
    "value",
    [HOSTILE, 12, None, gettext_lazy("Month"), "plain"],
    ids=["markup", "int", "none", "lazy", "plain"],
)
def test_a_value_is_written_as_a_django_template_writes_it(value):
    jinja = engines["jinja2"].from_string("<td>{{ value }}</td>")
    django = engines["django"].from_string("<td>{{ value }}</td>")
    assert jinja.render({"value": value}) == django.render({"value": value})


def test_markup_is_escaped_with_djangos_entities_and_what_is_marked_safe_is_kept():
    jinja = engines["jinja2"].from_string('<a title="{{ t }}">{{ t }}</a>{{ safe }}')
    out = jinja.render({"t": HOSTILE, "safe": mark_safe("<b>ok</b>")})
    assert out == f'<a title="{escape(HOSTILE)}">{escape(HOSTILE)}</a><b>ok</b>'
    assert "&#x27;" in out and "<script>" not in out
