"""Prepared queries (peerprogram.prepared): the SQL written once is the SQL the ORM would
write, with the values in their places, and the rows are the ORM's rows."""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

# Every module that prepares queries, so that the registry holds them all.
import education.selectors  # noqa: F401
import journal.selectors  # noqa: F401
import mentoring.selectors  # noqa: F401
import peerprogram.access
import recruitment.selectors  # noqa: F401
from journal.models import PeerMonth, ProgrammeMonth
from mentoring.models import Mentorship
from peerprogram import prepared
from peerprogram.models import StaffMember, Unit
from peerprogram.prepared import Ids, Prepared
from recruitment.models import Anchor, Onboarding

from ..factories import MentorshipFactory, StaffMemberFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

PREPARED = [p for p in Prepared.every if not p.name.startswith("test:")]


@pytest.fixture
def rows_to_read(cast, vacancy):
    """Something for every prepared query to read: two mentorships of the mentor, a
    vacancy with a committee and its checklist with a task ticked, stored months."""
    MentorshipFactory(peer=cast.other_peer, mentor=cast.mentor)
    today = timezone.localdate()
    onboarding = Onboarding.objects.get(vacancy=vacancy)  # the vacancy's checklist
    by_hand = onboarding.items.filter(derived_from="").exclude(anchor=Anchor.EDUCATION_COMPLETED)
    by_hand.filter(pk=by_hand.first().pk).update(done_on=today)
    for month, notes in ((datetime.date(2026, 3, 1), 4), (datetime.date(2026, 4, 1), 2)):
        PeerMonth.objects.create(peer=cast.peer, month=month, notes=notes, conversations=notes)
        ProgrammeMonth.objects.create(month=month, notes=notes, conversations=notes)
    return {"ids": [onboarding.pk], "vacancy_ids": [vacancy.pk]}


def _values(query: Prepared, cast, rows_to_read: dict | None = None) -> dict:
    """Values of the query's kinds, from the standard cast where the name says what."""
    known = {
        "user_id": cast.peer.staff_member.user_id,
        "peer_id": cast.peer.pk,
        "mentor_id": cast.mentor.pk,
        "peer_ids": [cast.peer.pk, cast.other_peer.pk],
        "unit_ids": [cast.unit.pk, cast.other_unit.pk],
        "today": timezone.localdate(),
        "start": datetime.date(2026, 1, 1),
        "end": datetime.date(2027, 1, 1),
        **(rows_to_read or {}),
    }
    by_kind = {int: 7, Ids: [3, 5, 8], datetime.date: datetime.date(2026, 3, 1)}
    return {name: known.get(name, by_kind.get(kind)) for name, kind in query.kinds.items()}


def _facts(row, depth: int = 0):
    """What a row holds: a tuple or dict as it is; a model instance's fields, annotations
    and the related objects read with it (a one-to-one caches both ends: three deep)."""
    if not hasattr(row, "_state"):
        return row
    related = row._state.fields_cache.items() if depth < 3 else ()
    return (
        type(row),
        {k: v for k, v in vars(row).items() if not k.startswith("_")},
        {name: _facts(obj, depth + 1) for name, obj in related if obj is not None},
    )


def test_every_module_prepares_its_queries():
    names = {p.name for p in PREPARED}
    assert "actor staff" in names
    assert "a peer worker's waiting counts" in names
    assert len(PREPARED) >= 9


@pytest.mark.parametrize("query", PREPARED, ids=lambda p: p.name)
def test_the_sql_is_the_orms_with_the_values_in_place(query, cast):
    values = _values(query, cast)
    expected_sql, expected_params = query.build(**values).query.sql_with_params()
    assert query.sql_with_params(**values) == (expected_sql, tuple(expected_params))


@pytest.mark.parametrize("query", PREPARED, ids=lambda p: p.name)
def test_the_rows_are_the_orms_rows_in_one_query(query, cast, rows_to_read):
    values = _values(query, cast, rows_to_read)
    expected = [_facts(row) for row in query.build(**values)]
    assert expected, "the data gives the query something to read"
    query.rows(**values)  # written now, so that the count below is a later run's
    with CaptureQueriesContext(connection) as captured:
        rows = query.rows(**values)
    assert [_facts(row) for row in rows] == expected
    assert len(captured) == 1


def test_the_actor_is_read_with_the_prepared_staff_row(cast):
    user = cast.mentor.user
    actor = peerprogram.access.get_actor(user)
    assert actor.staff == cast.mentor
    assert actor.staff.unit == cast.mentor.unit
    assert actor.mentee_ids == {cast.peer.pk}
    assert peerprogram.access.get_actor(cast.leader.user).led_unit_ids == {cast.unit.pk}


def test_values_change_the_rows_not_the_sql():
    units = UnitFactory.create_batch(3)
    query = Prepared(
        "test: units by id",
        lambda ids, name: Unit.objects.filter(pk__in=ids).exclude(name=name).order_by("pk"),
        ids=Ids,
        name=str,
    )
    first, second = (
        query.sql_with_params(ids=[u.pk for u in pair], name="") for pair in (units[:2], units[1:])
    )
    assert first[0] == second[0] and first[1] != second[1]
    assert query.rows(ids=[units[2].pk, units[0].pk], name="") == [units[0], units[2]]
    assert query.rows(ids=[units[1].pk, units[1].pk], name="") == [units[1]]
    assert query.rows(ids=[units[1].pk], name=units[1].name) == []


def test_an_empty_list_and_lengths_beyond_those_kept_run_through_the_orm(monkeypatch):
    units = UnitFactory.create_batch(3)
    query = Prepared(
        "test: units of a list",
        lambda ids: Unit.objects.filter(pk__in=ids).order_by("pk"),
        ids=Ids,
    )
    assert query.rows(ids=[]) == []
    assert query.sql_with_params(ids=[]) is None  # Django finds the result empty unasked
    monkeypatch.setattr(prepared, "SHAPES", 1)
    assert query.rows(ids=[units[0].pk]) == [units[0]]
    assert query.sql_with_params(ids=[units[0].pk, units[1].pk]) is None
    assert query.rows(ids=[u.pk for u in units]) == units


def test_dates_and_times_go_in_as_the_orm_adapts_them():
    today = datetime.date(2026, 11, 24)
    mentorship = MentorshipFactory(start_date=today)
    user = UserFactory()
    started = Prepared(
        "test: mentorships started",
        lambda day: Mentorship.objects.filter(start_date=day),
        day=datetime.date,
    )
    joined = Prepared(
        "test: users joined since",
        lambda since, pk: type(user).objects.filter(date_joined__gte=since, pk=pk),
        since=datetime.datetime,
        pk=int,
    )
    since = timezone.now() - datetime.timedelta(hours=1)
    for query, values in ((started, {"day": today}), (joined, {"since": since, "pk": user.pk})):
        expected_sql, expected_params = query.build(**values).query.sql_with_params()
        assert query.sql_with_params(**values) == (expected_sql, tuple(expected_params))
    assert started.rows(day=today) == [mentorship]
    assert started.rows(day=today + datetime.timedelta(days=1)) == []
    assert joined.rows(since=since, pk=user.pk) == [user]
    assert joined.rows(since=since + datetime.timedelta(days=1), pk=user.pk) == []


def test_a_value_the_orm_rewrites_cannot_be_prepared():
    query = Prepared(
        "test: names containing",
        lambda text: StaffMember.objects.filter(name__contains=text),
        text=str,
    )
    with pytest.raises(ImproperlyConfigured, match="not one of the values"):
        query.rows(text="Pia")


@pytest.mark.parametrize(
    ("kinds", "build"),
    [
        ({"text": str}, lambda text: StaffMember.objects.filter(name__iexact=text)),
        (
            {"day": datetime.date},
            lambda day: Mentorship.objects.filter(start_date__gte=day.replace(day=1)),
        ),
        (
            {"at": datetime.datetime},
            lambda at: StaffMember.objects.filter(
                user__date_joined__gte=at.replace(second=0, microsecond=0)
            ),
        ),
    ],
    ids=["escaped on SQLite", "a date rounded", "a time rounded"],
)
def test_a_value_changed_on_its_way_into_the_sql_cannot_be_prepared(kinds, build):
    query = Prepared("test: changed", build, **kinds)
    values = {
        str: "a_b",
        datetime.date: datetime.date(2026, 11, 24),
        datetime.datetime: timezone.now(),
    }
    (name, kind), *_ = kinds.items()
    if kind is str and connection.vendor != "sqlite":
        pytest.skip("PostgreSQL compares UPPER(%s): the text goes in as it is")
    with pytest.raises(ImproperlyConfigured, match="not one of the values"):
        query.rows(**{name: values[kind]})


def test_a_value_missing_from_the_sql_cannot_be_prepared():
    query = Prepared("test: all staff", lambda staff_id: StaffMember.objects.all(), staff_id=int)
    with pytest.raises(ImproperlyConfigured, match="staff_id is not all in the SQL"):
        query.rows(staff_id=1)


def test_wrong_values_are_refused():
    query = Prepared("test: one staff member", lambda pk: StaffMember.objects.filter(pk=pk), pk=int)
    with pytest.raises(TypeError, match="must be int"):
        query.rows(pk="1")
    with pytest.raises(TypeError, match="must be int"):
        query.rows(pk=True)
    with pytest.raises(TypeError, match="takes pk"):
        query.rows(id=1)
    of_list = Prepared(
        "test: staff of a list", lambda pks: StaffMember.objects.filter(pk__in=pks), pks=Ids
    )
    for wrong in ("12", [1, "2"], [True], 5):
        with pytest.raises(TypeError, match="must be a list of ids"):
            of_list.rows(pks=wrong)
    since = Prepared(
        "test: staff since",
        lambda at: StaffMember.objects.filter(user__date_joined__gte=at),
        at=datetime.datetime,
    )
    with pytest.raises(TypeError, match="must be an aware date and time"):
        since.rows(at=datetime.datetime(2026, 1, 1))
    on_day = Prepared(
        "test: mentorships of a day",
        lambda day: Mentorship.objects.filter(start_date=day),
        day=datetime.date,
    )
    with pytest.raises(TypeError, match="must be a date, not a date and time"):
        on_day.rows(day=timezone.now())
    with pytest.raises(ImproperlyConfigured, match="must be one of"):
        Prepared("test: lists", lambda pks: StaffMember.objects.all(), pks=list)
    with pytest.raises(ImproperlyConfigured, match="must be one of"):
        Prepared("test: booleans", lambda on: StaffMember.objects.filter(active=on), on=bool)


def test_the_querysets_built_stay_ordinary(cast):
    StaffMemberFactory(unit=cast.unit, name="Anden")
    query = Prepared(
        "test: a unit's staff",
        lambda unit_id: StaffMember.objects.filter(unit_id=unit_id).order_by("name"),
        unit_id=int,
    )
    names = [s.name for s in query.rows(unit_id=cast.unit.pk)]
    # The kept queryset is never chained into anything else; a fresh build counts,
    # filters and reads as usual.
    built = query.build(unit_id=cast.unit.pk)
    assert built.count() == len(names)
    assert [s.name for s in built.filter(name="Anden")] == ["Anden"]
    assert [s.name for s in query.rows(unit_id=cast.unit.pk)] == names


def test_a_mentors_home_page_lists_the_newest_mentorship_first(cast):
    older = Mentorship.objects.get(mentor=cast.mentor)
    newer = MentorshipFactory(
        peer=cast.other_peer, mentor=cast.mentor, start_date=older.start_date.replace(year=2099)
    )
    rows = mentoring.selectors.health_of_mentees(cast.mentor)
    assert [h.mentorship for h in rows] == [newer, older]
    assert list(Mentorship.objects.filter(mentor=cast.mentor)) == [newer, older]
