"""The programme-wide tables written in Python (checklists, mentoring, statistics, peer
workers) escape every name, and link the rows as before."""

import datetime
import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from mentoring.models import Mentorship
from peerprogram import selectors, tables
from peerprogram.models import PeerWorker, StaffMember, Unit
from recruitment import html as recruitment_html
from recruitment import selectors as recruitment_selectors
from recruitment import services as recruitment_services
from recruitment.models import ChecklistItem
from tests.education.factories import CohortFactory, EnrolmentFactory, ExternalEnrolmentFactory
from tests.factories import PeerWorkerFactory, StaffMemberFactory, UnitFactory

NASTY = 'Enhed <b>"fed"</b> & co'
ESCAPED = "Enhed &lt;b&gt;&quot;fed&quot;&lt;/b&gt; &amp; co"


@pytest.fixture
def nasty(cast):
    cast.unit.name = NASTY
    cast.unit.save()
    for member in (cast.peer.staff_member, cast.mentor):
        member.name = f"{member.name} {NASTY}"
        member.save()
    return recruitment_services.onboarding_start_for_peer(peer=cast.peer, by=cast.leader.user)


@pytest.mark.parametrize(
    ("role", "view"),
    [
        ("centre", "recruitment:checklist_overview"),
        ("leader", "recruitment:checklist_overview"),
        ("centre", "mentoring:overview"),
        ("leader", "mentoring:overview"),
        ("centre", "journal:statistics"),  # a unit a row
        ("leader", "journal:statistics"),  # a peer worker a row
    ],
)
def test_names_in_the_tables_are_escaped(client_for, nasty, role, view):
    html = client_for(role).get(reverse(view)).content.decode()
    table = html[html.index("<tbody>") :]
    assert ESCAPED in table
    assert "<b>" not in html


def test_the_rows_link_to_their_checklist_and_mentorship(client_for, cast, nasty):
    client = client_for("centre")
    overview = client.get(reverse("recruitment:checklist_overview")).content.decode()
    assert f'<a href="{reverse("recruitment:checklist", args=[nasty.pk])}">Pia Peer' in overview
    mentorship = cast.peer.mentorships.get()
    mentoring = client.get(reverse("mentoring:overview")).content.decode()
    url = reverse("mentoring:mentorship_detail", args=[mentorship.pk])
    assert f'<a href="{url}">Pia Peer' in mentoring


# The peer workers' table: the rows the template wrote, written by peerprogram.tables --------

# The rows as _peer_table.html wrote them before they were written in Python.
OLD_PEER_ROWS = """{% load i18n humanize %}{% for peer in peers %}
  <tr>
    <td><a href="{{ peer.get_absolute_url }}">{{ peer.name }}</a></td>
    {% if show_unit %}<td>{{ peer.unit.name }}</td>{% endif %}
    <td class="text-nowrap">{{ peer.start_date|date:"SHORT_DATE_FORMAT" }}</td>
    <td class="text-end">{{ peer.hours_per_week }}{% if peer.hours_warning %} <span class="badge text-bg-warning" title="{{ peer.hours_warning }}">{% translate "low" %}</span>{% endif %}</td>
    <td>{{ peer.get_employment_form_display }}</td>
    <td class="text-end text-nowrap">{{ peer.yearly_cost|intcomma }} kr.</td>
    <td>{{ peer.current_mentor|default:_("none yet") }}</td>
    <td>{{ peer.status_label }}</td>
  </tr>
  {% endfor %}"""  # noqa: E501


def _squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize("show_unit", [True, False])
def test_the_peer_rows_are_what_the_template_wrote(cast, nasty, language, show_unit):
    today = datetime.date.today()
    PeerWorkerFactory(  # few hours, no mentor, not started yet
        staff_member__name="Åse <Lav> Timer",
        staff_member__unit=cast.unit,
        hours_per_week=12,
        start_date=today + datetime.timedelta(days=30),
        employment_form=PeerWorker.EmploymentForm.FLEX_JOB,
    )
    PeerWorkerFactory(  # ended, 37 hours: a yearly cost with thousands
        staff_member__unit=cast.other_unit,
        hours_per_week=37,
        end_date=today - datetime.timedelta(days=1),
    )
    peers = list(selectors.peers_with_mentors(PeerWorker.objects.order_by("pk")))
    with translation.override(language):
        old = Template(OLD_PEER_ROWS).render(Context({"peers": peers, "show_unit": show_unit}))
        new = tables.peer_rows(peers, show_unit=show_unit)
    assert _squeezed(new) == _squeezed(old)
    assert "&lt;Lav&gt;" in new and ESCAPED in new


def test_the_peer_list_escapes_and_links_its_rows(client_for, cast, nasty):
    html = client_for("centre").get(reverse("peerprogram:peer_list")).content.decode()
    table = html[html.index('data-testid="peer-table"') :]
    assert ESCAPED in table and "<b>" not in html
    url = reverse("peerprogram:peer_detail", args=[cast.peer.pk])
    assert f'<a href="{url}">Pia Peer {ESCAPED}</a>' in table


OLD_UNIT_ROWS = """{% load i18n %}{% for unit in page %}
  <tr><td><a href="{{ unit.get_absolute_url }}">{{ unit.name }}</a></td><td>{{ unit.get_kind_display }}</td>{% if full %}<td>{{ unit.organisation }}</td>{% endif %}<td>{{ unit.leader|default:"–" }}</td><td class="text-end">{{ unit.staff_count }}</td><td class="text-end">{{ unit.peer_count }}</td>{% if full %}<td>{{ unit.active|yesno:_("yes,no") }}</td>{% endif %}</tr>
  {% endfor %}"""  # noqa: E501


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize("full", [True, False])
def test_the_unit_rows_are_what_the_templates_wrote(cast, nasty, language, full):
    """The unit list's rows (full) and the Centre's home page's."""
    UnitFactory(name="Lukket <enhed>", active=False, organisation="Region & Co")
    units = list(selectors.units_with_counts(Unit.objects.select_related("leader")))
    assert any(u.leader is None for u in units) and any(u.peer_count for u in units)
    with translation.override(language):
        old = Template(OLD_UNIT_ROWS).render(Context({"page": units, "full": full}))
        new = tables.unit_rows(units, with_organisation_and_state=full)
    assert _squeezed(new) == _squeezed(old)
    assert "Lukket &lt;enhed&gt;" in new and ESCAPED in new


OLD_STAFF_ROWS = """{% load i18n %}{% for member in staff %}
  <tr>
    <td><a href="{{ member.get_absolute_url }}">{{ member.name }}</a>{% if member.is_centre_staff %} <span class="badge text-bg-info">{% translate "Centre" %}</span>{% endif %}{% if leader_id and member.pk == leader_id %} <span class="badge text-bg-secondary">{% translate "Leader" %}</span>{% endif %}</td>
    {% if show_unit %}<td>{{ member.unit.name }}</td>{% endif %}
    <td>{{ member.get_profession_display }}</td>
    <td><a href="mailto:{{ member.email }}">{{ member.email }}</a></td>
    <td>{{ member.phone|default:"–" }}</td>
    <td>{{ member.active|yesno:_("yes,no") }}</td>
  </tr>
  {% endfor %}"""  # noqa: E501


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize(("show_unit", "leader"), [(True, False), (False, True)])
def test_the_staff_rows_are_what_the_template_wrote(cast, nasty, language, show_unit, leader):
    """The staff list's rows (with the unit) and a unit's page's (its leader marked)."""
    StaffMemberFactory(
        name="Ib <Inaktiv>",
        unit=cast.unit,
        active=False,
        phone="",
        email="ib+x@example.org",
        profession=StaffMember.Profession.OTHER,
    )
    staff = list(StaffMember.objects.select_related("unit").order_by("pk"))
    assert any(m.is_centre_staff for m in staff) and any(not m.phone for m in staff)
    leader_id = cast.unit.leader_id if leader else None
    with translation.override(language):
        context = {"staff": staff, "show_unit": show_unit, "leader_id": leader_id}
        old = Template(OLD_STAFF_ROWS).render(Context(context))
        new = tables.staff_rows(staff, show_unit=show_unit, leader_id=leader_id)
    assert _squeezed(new) == _squeezed(old)
    assert "Ib &lt;Inaktiv&gt;" in new and ESCAPED in new
    assert ("text-bg-secondary" in new) is leader


def test_the_staff_list_the_unit_and_the_leaders_home_page_link_their_staff(client_for, cast):
    url = reverse("peerprogram:staff_detail", args=[cast.mentor.pk])
    client = client_for("leader")
    for page in (
        reverse("peerprogram:staff_list"),
        reverse("peerprogram:unit_detail", args=[cast.unit.pk]),
        reverse("peerprogram:home"),
    ):
        html = client.get(page).content.decode()
        table = html[html.index('data-testid="staff-table"') :]
        assert f'<a href="{url}">Mads Mentor</a>' in table, page


def test_the_unit_list_and_the_centres_home_page_link_their_rows(client_for, cast, nasty):
    client = client_for("centre")
    url = reverse("peerprogram:unit_detail", args=[cast.unit.pk])
    for page in ("peerprogram:unit_list", "peerprogram:home"):
        html = client.get(reverse(page)).content.decode()
        assert f'<a href="{url}">{ESCAPED}</a>' in html and "<b>" not in html


def test_a_cohorts_participants_are_escaped_and_each_row_has_its_actions(client_for, cast, nasty):
    cohort = CohortFactory()
    seat = EnrolmentFactory(cohort=cohort, peer=cast.peer)
    outside = ExternalEnrolmentFactory(
        cohort=cohort, external_name=f"Eva {NASTY}", external_organisation=NASTY
    )
    url = reverse("education:cohort_detail", args=[cohort.pk])
    centre = client_for("centre").get(url).content.decode()
    rows = centre[centre.index('data-testid="participants"') :]
    assert f"Eva {ESCAPED} <span" in rows and "<b>" not in centre
    peer_url = reverse("peerprogram:peer_detail", args=[cast.peer.pk])
    assert f'<a href="{peer_url}">Pia Peer {ESCAPED}</a>' in rows
    for enrolment in (seat, outside):  # the Centre runs the education: every action
        cancel = reverse("education:enrolment_cancel", args=[enrolment.pk])
        assert f'<form method="post" action="{cancel}" class="d-inline">' in rows
        assert reverse("education:enrolment_complete", args=[enrolment.pk]) in rows
    assert rows.count('name="csrfmiddlewaretoken"') == 2
    # The peer worker's leader acts on their own seat only, and completes nothing.
    leader = client_for("leader").get(url).content.decode()
    rows = leader[leader.index('data-testid="participants"') :]
    assert reverse("education:enrolment_mentor", args=[seat.pk]) in rows
    assert reverse("education:enrolment_cancel", args=[outside.pk]) not in rows
    assert reverse("education:enrolment_complete", args=[seat.pk]) not in rows


# The checklist's rows as _checklist_row.html wrote them before they were written in Python.
OLD_CHECKLIST_ROW = """{% load i18n %}{% for s in statuses %}<tr id="item-{{ s.item.pk }}" class="state-{{ s.state }}" data-testid="item">
  <td>
    {% if s.derived or s.state == "na" %}
      <span class="small text-body-secondary" title="{% translate 'Read from the fact; not ticked by hand.' %}">{% if s.state == "done" %}✓ {% translate "recorded" %}{% else %}{% translate "automatic" %}{% endif %}</span>
    {% else %}
    <form method="post" action="{% url 'recruitment:checklist_item_toggle' s.item.pk %}" hx-post="{% url 'recruitment:checklist_item_toggle' s.item.pk %}" hx-target="#item-{{ s.item.pk }}" hx-swap="outerHTML">
      {% csrf_token %}
      <input type="hidden" name="version" value="{{ s.item.version }}">
      {% if s.done_on %}
      <input type="hidden" name="done" value="0">
      <button type="submit" class="btn btn-sm btn-success" aria-pressed="true" aria-label="{% blocktranslate with t=s.item.title %}Mark “{{ t }}” as not done{% endblocktranslate %}">✓ {% translate "Done" %}</button>
      {% else %}
      <input type="hidden" name="done" value="1">
      <button type="submit" class="btn btn-sm btn-outline-secondary" aria-pressed="false" aria-label="{% blocktranslate with t=s.item.title %}Mark “{{ t }}” as done{% endblocktranslate %}">{% translate "Tick" %}</button>
      {% endif %}
    </form>
    {% endif %}
  </td>
  <td>
    <span class="fw-semibold">{{ s.item.title }}</span>{% if s.item.unit_specific %} <span class="badge text-bg-light">{% translate "unit task" %}</span>{% endif %}
    {% if s.item.description %}<div class="small text-body-secondary">{{ s.item.description }}</div>{% endif %}
    {% if s.item.guide_reference %}<div class="small"><em>{% translate "Read more:" %}</em> {{ s.item.guide_reference }}</div>{% endif %}
    {% if s.item.note %}<div class="small">📝 {{ s.item.note }}</div>{% endif %}
    {% if error %}<div class="small text-danger" role="alert">{{ error }}</div>{% endif %}
  </td>
  <td class="small">{{ s.item.get_responsible_display }}</td>
  <td class="text-nowrap small">{{ s.due|date:"SHORT_DATE_FORMAT" }}{% if s.item.due_override %} <span title="{% translate 'Changed by hand' %}">✎</span>{% endif %}</td>
  <td class="small">
    {% if s.state == "done" %}<span class="text-success">{% blocktranslate with date=s.done_on|date:"SHORT_DATE_FORMAT" %}Done {{ date }}{% endblocktranslate %}</span>{% if s.done_by %}<br><span class="text-body-secondary">{{ s.done_by }}</span>{% endif %}
    {% elif s.state == "overdue" %}<span class="badge text-bg-danger">{% translate "Overdue" %}</span>
    {% elif s.state == "na" %}<span class="text-body-secondary">{% translate "Not relevant: hired outside Peerprogram" %}</span>
    {% else %}<span class="text-body-secondary">{% translate "Open" %}</span>{% endif %}
    {% if s.derived and s.state != "done" and s.state != "na" %}<br><span class="text-body-secondary">{{ s.derived_hint }}</span>
      {% if s.item.derived_from == "mentor_appointed" and onboarding.peer_id %}<br><a href="{% url 'mentoring:mentor_assign' onboarding.peer_id %}">{% translate "Appoint mentor" %}</a>{% endif %}{% endif %}
  </td>
  <td><a class="small" href="{% url 'recruitment:checklist_item_edit' s.item.pk %}">{% translate "Edit" %}<span class="visually-hidden">: {{ s.item.title }}</span></a></td>
</tr>{% endfor %}"""  # noqa: E501


def _squashed(html: str) -> str:
    """White space as the browser treats it: between tags and inside them."""
    return re.sub(r"\s+", " ", _squeezed(html))


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize("error", ["", "Nogen <andre> ændrede den"])
def test_the_checklist_rows_are_what_the_template_wrote(cast, nasty, language, error):
    onboarding = nasty
    Mentorship.objects.filter(peer=cast.peer).delete()  # the mentor task: open, with a link
    onboarding.created_at = timezone.now() - datetime.timedelta(days=1200)
    onboarding.save()
    items = list(onboarding.items.order_by("pk"))
    recruitment_services.checklist_item_set_done(
        item=items[3], by=cast.leader.user, done=True, expected_version=items[3].version
    )
    ChecklistItem.objects.filter(pk=items[4].pk).update(
        note=f"Husk {NASTY}",
        description="Beskrivelse & mere",
        due_override=datetime.date(2030, 1, 1),
        unit_specific=True,
    )
    statuses = recruitment_selectors.onboarding_detail(onboarding).statuses
    states = {s.state for s in statuses}
    assert {"done", "overdue", "na", "open"} <= states and any(s.derived for s in statuses)
    context = {"statuses": statuses, "onboarding": onboarding, "error": error}
    with translation.override(language):
        old = Template(OLD_CHECKLIST_ROW).render(Context({**context, "csrf_token": "TOKEN"}))
        new = recruitment_html.checklist_rows(
            statuses, onboarding=onboarding, csrf_token="TOKEN", error=error
        )
    assert _squashed(new) == _squashed(old)
    assert reverse("mentoring:mentor_assign", args=[cast.peer.pk]) in new
