"""The checklists' tables: the overview (a checklist a row) and a checklist's tasks, which
the toggle answers in place with the same row the page writes."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from recruitment import services
from recruitment.models import ChecklistItem

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script> & co\'s'


def _rows(html: str, testid: str) -> list[str]:
    start = html.index(f'data-testid="{testid}"')
    body = html[html.index("<tbody>", start) : html.index("</tbody>", start)]
    return [re.sub(r"\s+", " ", row) for row in re.findall(r"<tr[ >].*?</tr>", body, re.S)]


def _item_row(html: str, item: ChecklistItem) -> str:
    """A task's row as the page or the toggle writes it, white space squeezed."""
    row = re.search(rf'<tr id="item-{item.pk}".*?</tr>', html, re.S).group()
    row = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", row)
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", row))


@pytest.fixture
def onboarding(cast):
    """Pia's checklist, started long ago (tasks overdue), without a mentor yet."""
    cast.peer.mentorships.all().delete()
    onboarding = services.onboarding_start_for_peer(peer=cast.peer, by=cast.leader.user)
    onboarding.created_at = timezone.now() - datetime.timedelta(days=1200)
    onboarding.save()
    return onboarding


def test_the_overview_links_each_checklist_and_shows_names_as_text(client_for, cast, vacancy):
    cast.unit.name = f"Enhed {SCRIPT}"
    cast.unit.save()
    vacancy.title = f"Stilling {SCRIPT}"
    vacancy.save()
    html = client_for("leader", "en").get(reverse("recruitment:checklist_overview")).content
    rows = _rows(html.decode(), "checklist-overview")
    assert len(rows) == 1
    [row] = rows
    url = reverse("recruitment:checklist", args=[vacancy.onboarding.pk])
    assert (
        f'<a href="{url}">Stilling {escape(SCRIPT)}</a> <span class="badge text-bg-light">'
        "vacancy</span>"
    ) in row
    assert f'<td data-label="Unit">Enhed {escape(SCRIPT)}</td>' in row
    assert "<script>" not in html.decode()


def test_an_overdue_checklist_is_marked_and_names_its_next_task(client_for, cast, onboarding):
    onboarding.items.update(title=f"Opgave {SCRIPT}")  # whichever is due first
    html = client_for("leader", "en").get(reverse("recruitment:checklist_overview")).content
    [row] = _rows(html.decode(), "checklist-overview")
    assert row.startswith('<tr class="table-warning">')
    overdue = re.search(r'<span class="badge text-bg-danger">(\d+)</span>', row).group(1)
    assert int(overdue) > 0
    url = reverse("recruitment:checklist", args=[onboarding.pk])
    assert f'<a href="{url}">Pia Peer</a></td>' in row  # a peer worker's: no vacancy badge
    assert f'Opgave {escape(SCRIPT)} <span class="text-nowrap text-body-secondary">(' in row
    assert '<progress class="pp-progress flex-grow-1"' in row and 'aria-label="Progress"' in row


def test_a_checklist_with_every_task_done_says_so(client_for, cast, onboarding):
    onboarding.items.filter(derived_from="").update(done_on=timezone.localdate())
    onboarding.items.exclude(derived_from="").delete()
    html = client_for("leader", "en").get(reverse("recruitment:checklist_overview")).content
    [row] = _rows(html.decode(), "checklist-overview")
    assert row.startswith("<tr>")  # not marked
    assert '<td class="text-end" data-label="Overdue">0</td>' in row
    assert '<td class="small cell-wide" data-label="Next task">All done</td>' in row


def test_a_leader_sees_their_own_units_checklists_only(client_for, cast, onboarding):
    other = services.onboarding_start_for_peer(peer=cast.other_peer, by=cast.outsider.user)
    ours = client_for("leader").get(reverse("recruitment:checklist_overview")).content.decode()
    assert reverse("recruitment:checklist", args=[onboarding.pk]) in ours
    assert reverse("recruitment:checklist", args=[other.pk]) not in ours
    centre = client_for("centre").get(reverse("recruitment:checklist_overview")).content.decode()
    assert len(_rows(centre, "checklist-overview")) == 2


def test_without_checklists_the_overview_says_where_they_start(client_for, cast):
    html = client_for("leader", "en").get(reverse("recruitment:checklist_overview")).content
    [row] = _rows(html.decode(), "checklist-overview")
    assert "No checklists yet. A checklist starts with a vacancy" in row


def test_a_task_ticked_by_hand_has_its_form_and_a_fact_is_read(client_for, cast, onboarding):
    by_hand = onboarding.items.filter(derived_from="").order_by("order", "pk").first()
    ChecklistItem.objects.filter(pk=by_hand.pk).update(
        title=f"Kontrakt {SCRIPT}",
        description=f"Beskrivelse {SCRIPT}",
        note=f"Husk {SCRIPT}",
        due_override=datetime.date(2030, 1, 1),
    )
    by_hand.refresh_from_db()
    html = (
        client_for("leader", "en")
        .get(reverse("recruitment:checklist", args=[onboarding.pk]))
        .content.decode()
    )
    row = _item_row(html, by_hand)
    toggle = reverse("recruitment:checklist_item_toggle", args=[by_hand.pk])
    assert (
        f'<form method="post" action="{toggle}" hx-post="{toggle}" '
        f'hx-target="#item-{by_hand.pk}" hx-swap="outerHTML">'
    ) in row
    assert f'<input type="hidden" name="version" value="{by_hand.version}">' in row
    # The button's name begins with the word it shows (WCAG 2.5.3), then names the task.
    assert (
        f'aria-pressed="false">Tick<span class="visually-hidden"> Kontrakt {escape(SCRIPT)}'
        "</span></button>"
    ) in row
    assert f"Beskrivelse {escape(SCRIPT)}</div>" in row and f"📝 Husk {escape(SCRIPT)}" in row
    assert '<span title="Changed by hand">✎</span>' in row
    edit = reverse("recruitment:checklist_item_edit", args=[by_hand.pk])
    assert f'<a class="small" href="{edit}">Edit<span class="visually-hidden">: Kontrakt' in row
    assert "<script>" not in html
    # The mentor task is done when a mentor is appointed: no form, a link to appoint one.
    mentor_task = onboarding.items.get(derived_from="mentor_appointed")
    row = _item_row(html, mentor_task)
    assert "<form" not in row and ">automatic</span>" in row
    assert f'<a href="{reverse("mentoring:mentor_assign", args=[cast.peer.pk])}">' in row


def test_the_toggle_answers_with_the_row_the_page_then_shows(client_for, cast, onboarding):
    item = onboarding.items.filter(derived_from="").order_by("order", "pk").first()
    client = client_for("leader", "en")
    answer = client.post(
        reverse("recruitment:checklist_item_toggle", args=[item.pk]),
        {"done": "1", "version": item.version},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    page = client.get(reverse("recruitment:checklist", args=[onboarding.pk])).content.decode()
    item.refresh_from_db()
    assert _item_row(answer, item) == _item_row(page, item)
    assert 'class="state-done"' in _item_row(answer, item)
    assert f"Done {timezone.localdate():%-d %b %Y}" in _item_row(answer, item)
    # The progress, out of band, is the page's too.
    progress = re.search(r'<progress class="pp-progress flex-grow-1"[^>]*>', answer).group()
    assert progress in page


def test_a_refused_toggle_shows_why_in_the_row(client_for, cast, onboarding):
    item = onboarding.items.filter(derived_from="").order_by("order", "pk").first()
    client = client_for("leader", "en")
    url = reverse("recruitment:checklist_item_toggle", args=[item.pk])
    client.post(url, {"done": "1", "version": item.version}, HTTP_HX_REQUEST="true")
    answer = client.post(url, {"done": "0", "version": item.version}, HTTP_HX_REQUEST="true")
    row = _item_row(answer.content.decode(), item)
    assert (
        '<div class="small text-danger" role="alert">Someone else changed this task a moment '
        "ago. The list shows it as it is now.</div>"
    ) in row
