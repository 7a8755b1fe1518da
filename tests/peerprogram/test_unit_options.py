"""The unit filter's options: kept in the cache for a long list, never stale, escaped."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from peerprogram import presenters
from peerprogram.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _short_lists_are_cached(monkeypatch):
    """Cache from 2 units on, so that the cast's few units take the cached path."""
    monkeypatch.setattr(presenters, "UNIT_OPTIONS_CACHED_FROM", 2)
    cache.clear()
    yield
    cache.clear()


def test_a_renamed_unit_shows_its_new_name_on_the_next_page(client_for, cast):
    client = client_for("centre")
    url = reverse("recruitment:checklist_overview")
    assert "F-ACT Øst" in client.get(url).content.decode()
    Unit.objects.filter(pk=cast.unit.pk).update(name="F-ACT Nord")
    page = client.get(url).content.decode()
    assert "F-ACT Nord" in page and "F-ACT Øst" not in page


def test_the_chosen_unit_is_selected_and_the_others_not(client_for, cast):
    client = client_for("centre")
    page = client.get(reverse("journal:statistics") + f"?unit={cast.unit.pk}").content.decode()
    assert f'<option value="{cast.unit.pk}" selected>F-ACT Øst</option>' in page
    assert f'<option value="{cast.other_unit.pk}">F-ACT Vest</option>' in page
    # The same list with nothing chosen is another entry: nothing selected there.
    page = client.get(reverse("journal:statistics")).content.decode()
    assert f'<option value="{cast.unit.pk}">F-ACT Øst</option>' in page


def test_a_unit_name_is_escaped_in_the_cached_options(client_for, cast):
    Unit.objects.filter(pk=cast.unit.pk).update(name="<script>alert(1)</script>")
    client = client_for("centre")
    for _ in range(2):  # written, then read from the cache
        page = client.get(reverse("peerprogram:peer_list")).content.decode()
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_long_list_is_written_once_and_then_read_from_the_cache(monkeypatch):
    pairs = [(i, f"Enhed {i}") for i in range(60)]
    written = []
    render = presenters.render_to_string
    monkeypatch.setattr(
        presenters, "render_to_string", lambda *a, **k: written.append(1) or render(*a, **k)
    )
    first = presenters.unit_options(pairs, 7)
    assert presenters.unit_options(pairs, 7) == first
    assert len(written) == 1
    assert '<option value="7" selected>Enhed 7</option>' in first
    presenters.unit_options(pairs, 8)  # another choice, another entry
    assert len(written) == 2
