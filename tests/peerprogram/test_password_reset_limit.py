"""Password reset mails are limited per e-mail address and per client address, and the
page answers the same whether an account exists, a mail went, or the limit held it back."""

import pytest
from django.core.cache import cache
from django.core.cache.backends import locmem
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_counts_left():
    """The counts live in the cache: each test starts, and leaves the next test, without."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def known(cast):
    """Two colleagues with e-mail addresses, each with an account."""
    for member, email in ((cast.leader, "lene@example.org"), (cast.mentor, "mads@example.org")):
        member.user.email = email
        member.user.save(update_fields=["email"])
    return cast


def _ask(client, email, client_address="192.0.2.10"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=client_address)


def _answer(response) -> tuple[int, str, bytes]:
    return response.status_code, response["Location"], response.content


def test_ten_requests_for_one_address_send_three_mails_and_all_get_the_same_answer(
    client, known, mailoutbox
):
    answers = [_answer(_ask(client, "lene@example.org")) for _ in range(10)]
    assert len(mailoutbox) == 3
    assert [m.to for m in mailoutbox] == [["lene@example.org"]] * 3
    assert set(answers) == {(302, reverse("password_reset_done"), b"")}


def test_the_limit_counts_the_address_however_it_is_written(client, known, mailoutbox):
    for email in ("lene@example.org", "Lene@Example.org", " LENE@EXAMPLE.ORG ", "lene@example.org"):
        _ask(client, email)
    assert len(mailoutbox) == 3


def test_a_known_and_an_unknown_address_get_the_same_answer(client, known, mailoutbox):
    for _ in range(5):
        assert _answer(_ask(client, "lene@example.org")) == _answer(
            _ask(client, "nobody@example.org")
        )
    assert {tuple(m.to) for m in mailoutbox} == {("lene@example.org",)}


def test_another_address_still_gets_its_mail(client, known, mailoutbox):
    for _ in range(10):
        _ask(client, "lene@example.org")
    _ask(client, "mads@example.org")
    assert [m.to for m in mailoutbox][-1] == ["mads@example.org"]
    assert len(mailoutbox) == 4


def test_one_client_asking_for_many_addresses_is_limited(client, known, mailoutbox, settings):
    settings.PASSWORD_RESET_MAILS_PER_CLIENT = 4
    for n in range(6):
        _ask(client, f"someone{n}@example.org")
    _ask(client, "mads@example.org")
    assert mailoutbox == []
    # Another client is counted apart.
    _ask(client, "mads@example.org", client_address="198.51.100.7")
    assert [m.to for m in mailoutbox] == [["mads@example.org"]]


def test_the_address_gets_mails_again_after_the_hour(client, known, mailoutbox, monkeypatch):
    for _ in range(4):
        _ask(client, "lene@example.org")
    assert len(mailoutbox) == 3

    class AnHourLater:
        @staticmethod
        def time() -> float:
            return now + 60 * 60 + 1

    now = locmem.time.time()
    monkeypatch.setattr(locmem, "time", AnHourLater)
    _ask(client, "lene@example.org")
    assert len(mailoutbox) == 4


def test_the_reset_page_still_shows_its_form(client):
    response = client.get(reverse("password_reset"))
    assert response.status_code == 200
    assert 'name="email"' in response.content.decode()
