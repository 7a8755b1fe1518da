"""select_options writes the <option>s of a select itself: it must escape like Django."""

from django.utils.html import format_html_join

from peerprogram.html import select_options


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
