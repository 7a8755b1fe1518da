"""The main menu (peerprogram_layout.main_menu) is rendered once per combination of roles,
page and language, and kept: it must be what base.html wrote for each user before."""

import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import translation

from peerprogram.access import get_actor
from peerprogram.templatetags import peerprogram_layout
from tests.factories import UserFactory

# The menu as base.html wrote it before it was kept.
OLD_MENU = """{% load i18n %}
      {% with current=request.resolver_match.url_name %}
      <ul class="navbar-nav me-auto">
        {% if actor.manages_units %}
        <li class="nav-item"><a class="nav-link{% if current|slice:':5' == 'unit_' %} active" aria-current="page{% endif %}" href="{% url 'peerprogram:unit_list' %}">{% translate "Units" %}</a></li>
        <li class="nav-item"><a class="nav-link{% if current|slice:':6' == 'staff_' %} active" aria-current="page{% endif %}" href="{% url 'peerprogram:staff_list' %}">{% translate "Staff" %}</a></li>
        <li class="nav-item"><a class="nav-link{% if current|slice:':5' == 'peer_' %} active" aria-current="page{% endif %}" href="{% url 'peerprogram:peer_list' %}">{% translate "Peer workers" %}</a></li>
        {% endif %}
        {% if actor.manages_units or actor.staff %}
        <li class="nav-item"><a class="nav-link{% if request.resolver_match.app_name == 'recruitment' and current|slice:':9' != 'checklist' %} active" aria-current="page{% endif %}" href="{% url 'recruitment:vacancy_list' %}">{% translate "Recruitment" %}</a></li>
        {% endif %}
        {% if actor.manages_units %}
        <li class="nav-item"><a class="nav-link{% if request.resolver_match.app_name == 'mentoring' %} active" aria-current="page{% endif %}" href="{% url 'mentoring:overview' %}">{% translate "Mentoring" %}</a></li>
        <li class="nav-item"><a class="nav-link{% if current|slice:':9' == 'checklist' %} active" aria-current="page{% endif %}" href="{% url 'recruitment:checklist_overview' %}">{% translate "Checklists" %}</a></li>
        {% endif %}
        {% if actor.peer %}
        <li class="nav-item"><a class="nav-link" href="{{ actor.peer.get_absolute_url }}">{% translate "My page" %}</a></li>
        {% endif %}
        {% if actor.staff or actor.sees_programme %}
        <li class="nav-item dropdown">
          <a class="nav-link dropdown-toggle{% if request.resolver_match.app_name == 'education' and current|slice:':8' != 'calendar' %} active{% endif %}" href="#" role="button" data-bs-toggle="dropdown" aria-expanded="false">{% translate "Education" %}</a>
          <ul class="dropdown-menu">
            <li><a class="dropdown-item" href="{% url 'education:cohort_list' %}">{% translate "Peer education" %}</a></li>
            <li><a class="dropdown-item" href="{% url 'education:group_list' %}">{% translate "Erfa groups and supervision" %}</a></li>
            {% if actor.manages_units %}<li><a class="dropdown-item" href="{% url 'education:followup' %}">{% translate "Education follow-up" %}</a></li>
            <li><a class="dropdown-item" href="{% url 'education:erfa_attendance' %}">{% translate "Erfa attendance" %}</a></li>{% endif %}
            <li><a class="dropdown-item" href="{% url 'education:course_detail' %}">{% translate "Modules and mandatory courses" %}</a></li>
          </ul>
        </li>
        <li class="nav-item"><a class="nav-link{% if current|slice:':8' == 'calendar' %} active" aria-current="page{% endif %}" href="{% url 'education:calendar' %}">{% translate "Calendar" %}</a></li>
        {% if not actor.sees_programme %}
        <li class="nav-item dropdown">
          <a class="nav-link dropdown-toggle{% if request.resolver_match.app_name == 'journal' %} active{% endif %}" href="#" role="button" data-bs-toggle="dropdown" aria-expanded="false">{% translate "Peer notes" %}</a>
          <ul class="dropdown-menu">
            {% if actor.peer %}<li><a class="dropdown-item" href="{% url 'journal:caseload' %}">{% translate "My caseload" %}</a></li>
            <li><a class="dropdown-item" href="{% url 'journal:group_note_list' %}">{% translate "Group notes" %}</a></li>{% endif %}
            {% if actor.staff %}<li><a class="dropdown-item" href="{% url 'journal:referral_list' %}">{% translate "Referrals" %}</a></li>{% endif %}
            {% if actor.manages_units or actor.peer or actor.is_mentor %}<li><a class="dropdown-item" href="{% url 'journal:statistics' %}">{% translate "Statistics" %}</a></li>{% endif %}
          </ul>
        </li>
        {% endif %}
        {% endif %}
        {% if actor.sees_programme %}
        <li class="nav-item dropdown">
          <a class="nav-link dropdown-toggle" href="#" role="button" data-bs-toggle="dropdown" aria-expanded="false">{% translate "Centre" %}</a>
          <ul class="dropdown-menu">
            <li><a class="dropdown-item" href="{% url 'recruitment:posting_template_edit' %}">{% translate "Posting template" %}</a></li>
            <li><a class="dropdown-item" href="{% url 'recruitment:checklist_template' %}">{% translate "Standard checklist" %}</a></li>
            {# The Centre follows the journal in figures; its own menu keeps the bar on one line. #}
            <li><a class="dropdown-item" href="{% url 'journal:statistics' %}">{% translate "Peer note statistics" %}</a></li>
            {% if actor.peer %}<li><a class="dropdown-item" href="{% url 'journal:caseload' %}">{% translate "My caseload" %}</a></li>{% endif %}
            {% if actor.staff %}<li><a class="dropdown-item" href="{% url 'journal:referral_list' %}">{% translate "Referrals" %}</a></li>{% endif %}
            {% if user.is_superuser %}<li><a class="dropdown-item" href="{% url 'admin:index' %}">{% translate "Administration" %}</a></li>{% endif %}
          </ul>
        </li>
        {% endif %}
      </ul>
      {% endwith %}
"""  # noqa: E501

PAGES = [
    "peerprogram:home",
    "peerprogram:staff_list",
    "peerprogram:unit_list",
    "recruitment:vacancy_list",
    "recruitment:checklist_overview",
    "mentoring:overview",
    "education:cohort_list",
    "education:calendar",
    "journal:statistics",
    "journal:caseload",
]


def _flat(html: str) -> str:
    return re.sub(r"\s+", " ", str(html)).replace("> <", "><").strip()


def _request(user, path):
    request = RequestFactory().get(path)
    request.user = user
    request.resolver_match = resolve(path)
    return request


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_kept_menu_is_what_the_template_wrote_for_every_role_and_page(cast, lang):
    peerprogram_layout._menu.cache_clear()
    with translation.override(lang):
        # Every role on every page, twice round: the second round is read from the cache,
        # and a role must never get the menu kept for another.
        for _round in range(2):
            for role in ["leader", "peer", "mentor", "centre", "admin", "outsider"]:
                user = cast.user(role)
                for name in PAGES:
                    request = _request(user, reverse(name))
                    context = {"request": request, "user": user, "actor": get_actor(user)}
                    old = Template(OLD_MENU).render(Context(context))
                    new = Template("{% load peerprogram_layout %}{% main_menu %}").render(
                        Context(context)
                    )
                    assert _flat(new) == _flat(old), (role, name)
    assert peerprogram_layout._menu.cache_info().hits > 0


def test_the_menu_differs_by_role_and_marks_the_current_page(cast):
    with translation.override("en"):
        menus = {}
        for role in ["leader", "peer", "centre"]:
            user = cast.user(role)
            request = _request(user, reverse("mentoring:overview"))
            menus[role] = peerprogram_layout.main_menu({"request": request})
    assert 'href="/staff/"' in menus["leader"] and 'href="/staff/"' not in menus["peer"]
    assert "My page" in menus["peer"] and "My page" not in menus["leader"]
    assert cast.peer.get_absolute_url() in menus["peer"]
    assert "Posting template" in menus["centre"] and "Posting template" not in menus["leader"]
    marked = 'active" aria-current="page" href="/mentoring/"'
    assert marked in menus["leader"] and marked in menus["centre"]


def test_each_peer_worker_gets_their_own_page_in_the_menu(cast):
    cast.other_peer.staff_member.user = UserFactory(username="other-peer")
    cast.other_peer.staff_member.save()
    with translation.override("en"):
        urls = []
        for peer in (cast.peer, cast.other_peer):
            user = peer.staff_member.user
            request = _request(user, reverse("peerprogram:home"))
            menu = peerprogram_layout.main_menu({"request": request})
            urls.append(re.search(r'href="([^"]+)">My page', menu).group(1))
    assert urls == [cast.peer.get_absolute_url(), cast.other_peer.get_absolute_url()]


def test_while_developing_the_menu_is_rendered_afresh(cast, settings):
    settings.DEBUG = True
    peerprogram_layout._menu.cache_clear()
    user = cast.user("leader")
    request = _request(user, reverse("peerprogram:home"))
    with translation.override("en"):
        menu = peerprogram_layout.main_menu({"request": request})
    assert 'href="/staff/"' in menu
    assert peerprogram_layout._menu.cache_info().currsize == 0
