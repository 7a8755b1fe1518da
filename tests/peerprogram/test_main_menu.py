"""The main menu of the navigation bar (_main_menu.html): what each role is offered, the
current page marked for screen readers, and a peer worker's own page."""

import re

import pytest
from django.urls import reverse

from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

EDUCATION = ["Peer education", "Erfa groups and supervision", "Modules and mandatory courses"]
EDUCATION_FOR_MANAGERS = [
    "Peer education",
    "Erfa groups and supervision",
    "Education follow-up",
    "Erfa attendance",
    "Modules and mandatory courses",
]
UNITS_TO_CHECKLISTS = [
    "Units",
    "Staff",
    "Peer workers",
    "Recruitment",
    "Mentoring",
    "Checklists",
]
CENTRE = [
    "Programme report",
    "Posting template",
    "Standard checklist",
    "Function description template",
    "Retention",
    "The staff group's questions",
    "Implementation survey",
    "Outcome measures",
    "Peer note statistics",
]

# The menu's links in order, with the items of each dropdown after its name.
MENUS = {
    "leader": [
        *UNITS_TO_CHECKLISTS,
        "Education",
        *EDUCATION_FOR_MANAGERS,
        "Calendar",
        "Peer notes",
        "Referrals",
        "Statistics",
        "Implementation survey",
        "Outcome measures",
    ],
    "outsider": [  # the leader of another unit
        *UNITS_TO_CHECKLISTS,
        "Education",
        *EDUCATION_FOR_MANAGERS,
        "Calendar",
        "Peer notes",
        "Referrals",
        "Statistics",
        "Implementation survey",
        "Outcome measures",
    ],
    "peer": [
        "Recruitment",
        "My page",
        "Education",
        *EDUCATION,
        "Calendar",
        "Peer notes",
        "My caseload",
        "Group notes",
        "Referrals",
        "Statistics",
    ],
    "mentor": [
        "Recruitment",
        "Mentoring",  # the mentorships on the mentor's home page
        "Education",
        *EDUCATION,
        "Calendar",
        "Peer notes",
        "Referrals",
        "Statistics",
    ],
    "centre": [
        *UNITS_TO_CHECKLISTS,
        "Education",
        *EDUCATION_FOR_MANAGERS,
        "Calendar",
        "Centre",
        *CENTRE,
        "Referrals",
    ],
    "admin": [  # an administrator without a staff record
        *UNITS_TO_CHECKLISTS,
        "Education",
        *EDUCATION_FOR_MANAGERS,
        "Calendar",
        "Centre",
        *CENTRE,
        "Administration",
    ],
}


def _menu(html: str) -> str:
    """The main menu of a page: the first list of the navigation bar."""
    start = html.index('<ul class="navbar-nav me-auto">')
    return html[start : html.index('data-testid="language-switch"', start)]


def _links(menu: str) -> list[tuple[str, str]]:
    """(text, href) of every link of the menu, in order."""
    return re.findall(r'<a [^>]*href="([^"]*)"[^>]*>([^<]*)</a>', menu)


@pytest.mark.parametrize("role", sorted(MENUS))
def test_each_role_is_offered_the_pages_of_its_roles(client_for, role):
    html = client_for(role, "en").get(reverse("peerprogram:home")).content.decode()
    assert [text for _href, text in _links(_menu(html))] == MENUS[role]


def test_the_links_lead_to_their_pages(client_for):
    html = client_for("admin", "en").get(reverse("peerprogram:home")).content.decode()
    links = {text: href for href, text in _links(_menu(html))}
    assert links["Units"] == reverse("peerprogram:unit_list")
    assert links["Checklists"] == reverse("recruitment:checklist_overview")
    assert links["Erfa attendance"] == reverse("education:erfa_attendance")
    assert links["Peer note statistics"] == reverse("journal:statistics")
    assert links["Administration"] == reverse("admin:index")


def test_without_a_login_there_is_no_menu(client_for):
    html = client_for("anonymous", "en").get(reverse("login")).content.decode()
    assert 'class="navbar-nav' not in html
    assert 'data-testid="language-switch"' in html


@pytest.mark.parametrize(
    ("role", "page", "marked"),
    [
        ("leader", reverse("peerprogram:unit_list"), "Units"),
        ("leader", reverse("peerprogram:staff_list"), "Staff"),
        ("leader", reverse("peerprogram:peer_list"), "Peer workers"),
        ("leader", reverse("recruitment:vacancy_list"), "Recruitment"),
        ("leader", reverse("mentoring:overview"), "Mentoring"),
        ("centre", reverse("mentoring:overview"), "Mentoring"),
        ("leader", reverse("recruitment:checklist_overview"), "Checklists"),
        ("peer", reverse("education:calendar"), "Calendar"),
    ],
)
def test_the_current_page_is_marked_in_the_menu(client_for, role, page, marked):
    html = client_for(role, "en").get(page).content.decode()
    menu = _menu(html)
    current = re.findall(
        r'<a class="nav-link active" aria-current="page" href="[^"]*">([^<]*)</a>', menu
    )
    assert current == [marked]
    assert menu.count('aria-current="page"') == 1
    assert 'aria-current="page"' not in html[: html.index(menu)]  # not the home link


def test_a_unit_page_marks_units_and_a_checklist_marks_checklists_not_recruitment(
    client_for, cast, vacancy
):
    client = client_for("leader", "en")
    unit_page = client.get(reverse("peerprogram:unit_detail", args=[cast.unit.pk]))
    assert 'active" aria-current="page" href="/units/">Units' in unit_page.content.decode()
    checklist = client.get(reverse("recruitment:checklist", args=[vacancy.onboarding.pk]))
    menu = _menu(checklist.content.decode())
    assert 'active" aria-current="page" href="/recruitment/checklists/">Checklists' in menu
    assert 'nav-link" href="/recruitment/vacancies/">Recruitment' in menu


def test_the_dropdown_of_the_current_section_is_marked_active(client_for):
    education = _menu(
        client_for("leader", "en").get(reverse("education:cohort_list")).content.decode()
    )
    assert 'class="nav-link dropdown-toggle active" href="#"' in education
    assert "Education</a>" in education.split("dropdown-toggle active")[1][:200]
    journal = _menu(client_for("leader", "en").get(reverse("journal:statistics")).content.decode())
    assert "Peer notes</a>" in journal.split("dropdown-toggle active")[1][:200]
    assert 'aria-current="page"' not in education + journal


def test_the_home_page_is_marked_on_the_brand_link_only(client_for):
    html = client_for("leader", "en").get(reverse("peerprogram:home")).content.decode()
    assert 'href="/" aria-current="page" title="Home">Peerprogram</a>' in html
    assert 'aria-current="page"' not in _menu(html)


def test_each_peer_worker_gets_their_own_page_in_the_menu(client_for, cast):
    cast.other_peer.staff_member.user = UserFactory(username="other-peer")
    cast.other_peer.staff_member.save()
    urls = []
    for peer in (cast.peer, cast.other_peer):
        client = client_for("anonymous", "en")
        client.force_login(peer.staff_member.user)
        menu = _menu(client.get(reverse("peerprogram:home")).content.decode())
        urls.append(re.search(r'href="([^"]+)">My page', menu).group(1))
    assert urls == [cast.peer.get_absolute_url(), cast.other_peer.get_absolute_url()]


def test_a_new_role_shows_in_the_menu_on_the_next_page(client_for, cast):
    client = client_for("mentor", "en")
    assert "Units" not in _menu(client.get(reverse("peerprogram:home")).content.decode())
    UnitFactory(name="F-ACT Nord", leader=cast.mentor)
    menu = _menu(client.get(reverse("peerprogram:home")).content.decode())
    assert [text for _href, text in _links(menu)][:6] == UNITS_TO_CHECKLISTS


def test_the_menu_is_in_the_users_language(client_for):
    menu = _menu(client_for("leader", "da").get(reverse("peerprogram:home")).content.decode())
    texts = [text for _href, text in _links(menu)]
    assert texts[:3] == ["Enheder", "Medarbejdere", "Peermedarbejdere"]
