"""The HTML written in Python (peerprogram.html) must escape exactly like Django."""

import datetime

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from peerprogram.html import (
    choice_label,
    csrf_input,
    element,
    join,
    number,
    select_options,
    short_date,
    url_of,
    wrap_in,
    yes_no,
)
from peerprogram.models import StaffMember, Unit


def test_options_are_escaped_like_format_html_and_the_chosen_one_is_selected():
    choices = [("", "Alle"), (1, "Enhed <b>&</b>"), (2, 'Sengeafsnit "Ø"'), ("3'", "x'y")]
    html = select_options(choices, [2])
    assert html == (
        '<option value="">Alle</option>'
        '<option value="1">Enhed &lt;b&gt;&amp;&lt;/b&gt;</option>'
        '<option value="2" selected>Sengeafsnit &quot;Ø&quot;</option>'
        '<option value="3&#x27;">x&#x27;y</option>'
    )
    assert html == format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((v, " selected" if v == 2 else "", label) for v, label in choices),
    )


def test_values_are_compared_as_text():
    assert select_options([(7, "A"), (8, "B")], ["8"]).count("selected") == 1
    assert select_options([(7, "A")], [None, ""]).count("selected") == 0
    assert "<script>" not in select_options([(1, "<script>alert(1)</script>")])
    # A value that needs escaping is still found among the chosen.
    assert select_options([("a&b", "A")], ["a&b"]) == '<option value="a&amp;b" selected>A</option>'


# element, join and the helpers the Python-written tables use -----------------------------


NASTY = 'Enhed <b>"fed"</b> & co\'s'


def test_element_escapes_text_and_attributes_like_format_html():
    html = element("a", NASTY, href=f"?q={NASTY}", title=NASTY)
    assert html == format_html('<a href="{}" title="{}">{}</a>', f"?q={NASTY}", NASTY, NASTY)
    assert isinstance(html, SafeString)
    assert "<b>" not in html


def test_element_keeps_safe_html_and_leaves_out_none():
    inner = element("span", "x", class_="badge")
    assert element("td", inner, None, " ", mark_safe("<i>i</i>")) == (
        '<td><span class="badge">x</span> <i>i</i></td>'
    )


def test_attribute_names_and_values():
    assert element("td", "1", class_="text-end", data_testid="share", aria_label=None) == (
        '<td class="text-end" data-testid="share">1</td>'
    )
    assert element("option", "A", selected=True, disabled=False) == "<option selected>A</option>"
    assert (
        element("progress", "3 %", value=0, max=7) == '<progress value="0" max="7">3 %</progress>'
    )


def test_void_elements_have_no_end_tag_and_no_content():
    assert element("br") == "<br>"
    with pytest.raises(ValueError):
        element("br", "x")


def test_lazy_translations_are_text():
    with translation.override("da"):
        assert element("span", gettext_lazy("Progress")) == "<span>Fremdrift</span>"


def test_start_tags_are_kept_per_language_and_any_value_is_written():
    """The start tags are cached: a lazy attribute follows the language, and a value that
    cannot be a cache key is written all the same."""
    for language, text in (("da", "Fremdrift"), ("en", "Progress"), ("da", "Fremdrift")):
        with translation.override(language):
            assert (
                element("span", title=gettext_lazy("Progress")) == f'<span title="{text}"></span>'
            )
    assert element("td", "x", data_ids=["<1>"]) == ('<td data-ids="[&#x27;&lt;1&gt;&#x27;]">x</td>')


def test_kept_start_tags_tell_true_from_one_and_false_from_zero():
    assert element("input", name="x", value=False) == '<input name="x">'
    assert element("input", name="x", value=0) == '<input name="x" value="0">'
    assert element("td", data_n=True) == "<td data-n></td>"
    assert element("td", data_n=1) == '<td data-n="1"></td>'
    assert element("td", data_n=1.0) == '<td data-n="1.0"></td>'


def test_wrap_in_writes_what_element_writes_for_each_child():
    cell = wrap_in("td", class_='a "b"', data_n=3)
    for child in ["1,23", "<b>&", mark_safe("<i>x</i>"), 7, gettext_lazy("Name")]:
        assert cell(child) == element("td", child, class_='a "b"', data_n=3)
        assert isinstance(cell(child), SafeString)
    assert cell("<b>") == '<td class="a &quot;b&quot;" data-n="3">&lt;b&gt;</td>'
    with pytest.raises(ValueError):
        wrap_in("br")


def test_join_puts_its_separator_between_the_pieces_and_escapes_it():
    assert join(["a", None, element("b", "c")], " & ") == "a &amp; <b>c</b>"
    assert join([], " ") == ""


def test_csrf_input_is_what_the_csrf_token_tag_writes():
    tag = Template("{% csrf_token %}").render(Context({"csrf_token": 'T"<1>'}))
    assert csrf_input('T"<1>') == tag.replace(" >", ">")


def test_join_escapes_what_is_not_safe():
    assert join(["a & b", element("br"), None, 3]) == "a &amp; b<br>3"


def test_url_of_gives_what_reverse_gives():
    url = url_of("recruitment:checklist")
    assert [url(pk) for pk in (1, 42, 2147483646)] == [
        reverse("recruitment:checklist", args=[pk]) for pk in (1, 42, 2147483646)
    ]


@pytest.mark.parametrize("language", ["da", "en"])
def test_short_date_and_number_write_what_the_template_writes(language):
    day = datetime.date(2026, 3, 9)
    template = Template('{{ day|date:"SHORT_DATE_FORMAT" }}|{{ n }}')
    with translation.override(language):
        assert f"{short_date(day)}|{number(12345)}" == template.render(
            Context({"day": day, "n": 12345})
        )


@pytest.mark.parametrize("language", ["da", "en"])
def test_choice_labels_and_yes_no_are_what_the_model_and_the_template_give(language):
    member = StaffMember(profession=StaffMember.Profession.NURSE)
    with translation.override(language):
        assert choice_label(StaffMember.Profession, member.profession) == str(
            member.get_profession_display()
        )
        assert choice_label(Unit.Kind, "not-a-kind") == "not-a-kind"
        template = Template('{{ a|yesno:_("yes,no") }}/{{ b|yesno:_("yes,no") }}')
        assert f"{yes_no(True)}/{yes_no(0)}" == template.render(Context({"a": True, "b": 0}))
    with translation.override("da"):
        danish = choice_label(StaffMember.Profession, StaffMember.Profession.NURSE)
    with translation.override("en"):
        english = choice_label(StaffMember.Profession, StaffMember.Profession.NURSE)
    assert danish != english  # kept per language
