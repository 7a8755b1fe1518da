"""The implementation survey: who is asked, answering once through the personal link,
answers stored without the person, and the rule of five on every result."""

import datetime
import io

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from evaluation import selectors, services
from evaluation.models import Answer, Invitation, Question, Questionnaire, Response, SurveyRound
from peerprogram.models import StaffMember
from tests.factories import PeerWorkerFactory, StaffMemberFactory, UnitFactory

TODAY = timezone.localdate()


def _round(units, *, opens=-2, closes=12, **extra):
    survey = SurveyRound.objects.create(
        questionnaire=Questionnaire.objects.order_by("pk").first(),
        title="Forår 2027",
        opens_on=TODAY + datetime.timedelta(days=opens),
        closes_on=TODAY + datetime.timedelta(days=closes),
        **extra,
    )
    survey.units.set(units)
    return survey


def _answers(survey, unit, group, scores, *, text=""):
    """Answers as a person of `group` would send them: each score to the first statement."""
    statement = survey.questionnaire.questions.filter(kind="scale").order_by("order").first()
    free = survey.questionnaire.questions.filter(kind="text").order_by("order").first()
    for score in scores:
        response = Response.objects.create(round=survey, unit=unit, group=group)
        Answer.objects.create(response=response, question=statement, score=score)
        if text:
            Answer.objects.create(response=response, question=free, text=f"{text} {score}")
    return statement


def test_a_round_asks_the_leader_the_peer_workers_employed_and_the_colleagues(cast):
    PeerWorkerFactory(
        staff_member__unit=cast.unit,
        start_date=TODAY + datetime.timedelta(days=30),  # not started: not asked
    )
    StaffMemberFactory(unit=cast.unit, active=False)
    survey = _round([cast.unit])
    asked = {(a.person.name, a.group) for a in selectors.asked(survey, TODAY)}
    assert asked == {
        ("Lene Leder", "leaders"),
        ("Pia Peer", "peers"),
        ("Mads Mentor", "colleagues"),
    }


def test_invitations_are_mailed_once_with_a_personal_link_and_no_one_twice(cast):
    survey = _round([cast.unit], ask_leaders=False)
    sent = services.invitations_send(
        survey=survey, by=cast.centre.user, link_for=lambda t: f"https://x/{t}"
    )
    assert sent.sent == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [cast.peer.staff_member.email, cast.mentor.email]
    )
    token = Invitation.objects.get(person=cast.mentor).token
    assert f"https://x/{token}" in next(m.body for m in mail.outbox if m.to == [cast.mentor.email])
    # Sending again invites only people who joined since.
    newcomer = StaffMemberFactory(unit=cast.unit, name="Nina Ny")
    sent = services.invitations_send(
        survey=survey, by=cast.centre.user, link_for=lambda t: f"https://x/{t}"
    )
    assert sent.sent == 1 and mail.outbox[-1].to == [newcomer.email]
    assert Invitation.objects.filter(round=survey).count() == 3


def test_invitations_are_refused_before_the_round_opens(cast):
    survey = _round([cast.unit], opens=3, closes=10)
    with pytest.raises(Exception, match="mens runden er åben"):
        services.invitations_send(survey=survey, by=cast.centre.user, link_for=str)


def test_the_personal_link_answers_once_without_login_and_stores_no_person(client, cast):
    survey = _round([cast.unit])
    invitation = Invitation.objects.create(
        round=survey, person=cast.mentor, unit=cast.unit, group="colleagues", sent_on=TODAY
    )
    url = reverse("evaluation:answer", args=[invitation.token])
    page = client.get(url)
    assert page.status_code == 200
    peers_only = Question.objects.filter(questionnaire=survey.questionnaire, for_colleagues=False)
    assert peers_only.exists()
    for question in peers_only:
        assert question.text not in page.content.decode()  # not asked of colleagues
    statement = Question.objects.filter(questionnaire=survey.questionnaire, kind="scale").first()
    free = Question.objects.filter(questionnaire=survey.questionnaire, kind="text").first()
    response = client.post(url, {f"q{statement.pk}": "4", f"q{free.pk}": "Godt samarbejde"})
    assert "stored without your name" in response.content.decode() or "uden dit navn" in (
        response.content.decode()
    )
    stored = Response.objects.get(round=survey)
    assert (stored.unit, stored.group) == (cast.unit, "colleagues")
    assert [f.name for f in Response._meta.concrete_fields] == ["id", "round", "unit", "group"]
    assert sorted((a.text, a.score or 0) for a in stored.answers.all()) == [
        ("", 4),
        ("Godt samarbejde", 0),
    ]  # the other questions were skipped: no rows
    invitation.refresh_from_db()
    assert invitation.answered
    again = client.post(url, {f"q{statement.pk}": "1"})
    assert "already answered" in again.content.decode() or "allerede svaret" in (
        again.content.decode()
    )
    assert Response.objects.filter(round=survey).count() == 1


def test_a_bad_score_is_refused_on_its_field_and_what_was_typed_is_kept(client, cast):
    survey = _round([cast.unit])
    invitation = Invitation.objects.create(
        round=survey, person=cast.mentor, unit=cast.unit, group="colleagues", sent_on=TODAY
    )
    statement = Question.objects.filter(questionnaire=survey.questionnaire, kind="scale").first()
    free = Question.objects.filter(questionnaire=survey.questionnaire, kind="text").first()
    page = client.post(
        reverse("evaluation:answer", args=[invitation.token]),
        {f"q{statement.pk}": "9", f"q{free.pk}": "Det jeg skrev"},
        HTTP_ACCEPT_LANGUAGE="da",
    )
    assert page.status_code == 200
    assert "Det jeg skrev" in page.content.decode()
    assert not Response.objects.exists()
    assert page.context["form"].errors[f"q{statement.pk}"]


def test_a_closed_round_takes_no_answers(client, cast):
    survey = _round([cast.unit], opens=-20, closes=-1)
    invitation = Invitation.objects.create(
        round=survey, person=cast.mentor, unit=cast.unit, group="colleagues", sent_on=TODAY
    )
    page = client.get(reverse("evaluation:answer", args=[invitation.token]))
    assert "form" not in page.context
    with pytest.raises(Exception, match="Runden er lukket"):
        services.response_submit(invitation=invitation, scores={}, texts={})


def test_no_results_are_shown_while_the_round_is_open(cast):
    survey = _round([cast.unit])
    _answers(survey, cast.unit, "colleagues", [4, 4, 4, 4, 4, 4])
    result = selectors.results(survey, None, TODAY)
    assert not result.closed and result.questions == []


def _cells(survey, statement):
    return next(
        q for q in selectors.results(survey, None, TODAY).questions if q.question == statement
    ).cells


def test_a_group_of_four_is_too_few_and_a_group_of_five_is_shown(cast):
    survey = _round([cast.unit, cast.other_unit], opens=-20, closes=-1)
    statement = _answers(survey, cast.unit, "colleagues", [5, 4, 4, 3, 4])
    cells = _cells(survey, statement)
    assert cells["colleagues"].shown and cells["colleagues"].mean == 4.0
    _answers(survey, cast.other_unit, "leaders", [2, 2, 2, 2])
    cells = _cells(survey, statement)
    assert not cells["leaders"].shown and cells["leaders"].mean is None
    # All groups (9) minus the colleagues shown would tell the four leaders: "all groups"
    # is hidden, the colleagues stay.
    assert cells["colleagues"].shown and cells["colleagues"].mean == 4.0
    assert not cells["all"].shown and cells["all"].mean is None


def test_with_the_hidden_groups_at_five_or_more_nothing_more_is_hidden(cast):
    survey = _round([cast.unit, cast.other_unit], opens=-20, closes=-1)
    statement = _answers(survey, cast.unit, "colleagues", [5, 4, 4, 3, 4, 4])
    _answers(survey, cast.other_unit, "leaders", [2, 2, 2])
    _answers(survey, cast.other_unit, "peers", [3, 3])
    cells = next(
        q for q in selectors.results(survey, None, TODAY).questions if q.question == statement
    ).cells
    assert cells["colleagues"].shown and not cells["leaders"].shown and not cells["peers"].shown
    assert cells["all"].shown


def test_a_unit_of_four_answers_is_too_small_and_another_unit_then_hides_too(cast):
    survey = _round([cast.unit, cast.other_unit], opens=-20, closes=-1)
    statement = _answers(survey, cast.unit, "colleagues", [5, 5, 5, 5, 5, 5])
    _answers(survey, cast.other_unit, "colleagues", [1, 1, 1, 1])
    result = selectors.results(survey, None, TODAY)
    means = {unit.name: (n, m[statement.pk]) for unit, n, m in result.units}
    # The programme (10) minus the unit of six would tell the unit of four.
    assert means == {"F-ACT Vest": (4, None), "F-ACT Øst": (6, None)}
    unit_view = selectors.results(survey, cast.unit, TODAY)
    cell = next(q for q in unit_view.questions if q.question == statement).cells["all"]
    assert not cell.shown  # the unit's own page hides what the table hides


def test_a_units_page_shows_its_own_answers_and_the_change_since_the_last_round(cast):
    third = UnitFactory(name="F-ACT Nord")
    units = [cast.unit, cast.other_unit, third]
    first = _round(units, opens=-200, closes=-180)
    survey = _round(units, opens=-20, closes=-1)
    for r, level in ((first, 3), (survey, 4)):
        statement = _answers(r, cast.unit, "colleagues", [level] * 6)
        _answers(r, cast.other_unit, "colleagues", [2] * 5)
        _answers(r, third, "colleagues", [2] * 5)
    result = selectors.results(survey, cast.unit, TODAY)
    assert result.columns == ["all"] and result.previous == first
    cell = next(q for q in result.questions if q.question == statement).cells["all"]
    assert cell.shown and cell.mean == 4.0 and cell.change == 1.0


def test_free_text_is_shown_for_all_groups_together_from_five_answerers(cast):
    survey = _round([cast.unit, cast.other_unit], opens=-20, closes=-1)
    _answers(survey, cast.unit, "colleagues", [4, 4, 4], text="Godt")
    _answers(survey, cast.unit, "leaders", [4], text="Leder")
    result = selectors.results(survey, cast.unit, TODAY)
    assert all(q.texts == [] for q in result.text_questions)  # four answerers
    _answers(survey, cast.unit, "peers", [3], text="Peer")
    result = selectors.results(survey, cast.unit, TODAY)
    texts = next(q.texts for q in result.text_questions if q.texts)
    assert texts == ["Godt 4", "Godt 4", "Godt 4", "Leder 4", "Peer 3"]  # alphabetical
    assert selectors.results(survey, cast.other_unit, TODAY).text_questions[0].texts == []


def test_a_leader_reads_their_own_units_results_only(client_for, cast):
    survey = _round([cast.unit, cast.other_unit], opens=-20, closes=-1)
    url = reverse("evaluation:round_results", args=[survey.pk])
    leader = client_for("leader")
    assert leader.get(f"{url}?unit={cast.unit.pk}").status_code == 200
    assert leader.get(f"{url}?unit={cast.other_unit.pk}").status_code == 404
    assert leader.get(url).status_code == 403
    assert client_for("peer").get(f"{url}?unit={cast.unit.pk}").status_code == 403
    assert client_for("centre").get(f"{url}?unit={cast.other_unit.pk}").status_code == 200
    outside = _round([cast.other_unit], opens=-20, closes=-1)
    assert (
        client_for("leader")
        .get(reverse("evaluation:round_results", args=[outside.pk]) + f"?unit={cast.unit.pk}")
        .status_code
        == 404
    )


def test_the_results_page_says_too_few_and_the_spreadsheet_leaves_the_cell_empty(client_for, cast):
    survey = _round([cast.unit], opens=-20, closes=-1)
    _answers(survey, cast.unit, "colleagues", [4, 4, 4, 4, 4])
    _answers(survey, cast.unit, "leaders", [1])
    page = client_for("centre").get(reverse("evaluation:round_results", args=[survey.pk]))
    assert "for få svar til at vise" in page.content.decode()
    sheet = client_for("centre").get(reverse("evaluation:round_results_xlsx", args=[survey.pk]))
    assert sheet["Content-Type"].startswith("application/vnd.openxmlformats")
    pdf = client_for("centre").get(reverse("evaluation:round_results_pdf", args=[survey.pk]))
    assert pdf["Content-Type"] == "application/pdf"


def test_the_person_asked_sees_the_round_on_their_home_page_until_they_answer(client_for, cast):
    survey = _round([cast.unit])
    invitation = Invitation.objects.create(
        round=survey, person=cast.peer.staff_member, unit=cast.unit, group="peers", sent_on=TODAY
    )
    home = client_for("peer").get(reverse("peerprogram:home")).content.decode()
    assert reverse("evaluation:answer", args=[invitation.token]) in home
    Invitation.objects.filter(pk=invitation.pk).update(answered=True)
    home = client_for("peer").get(reverse("peerprogram:home")).content.decode()
    assert reverse("evaluation:answer", args=[invitation.token]) not in home


def test_a_questionnaire_used_by_an_open_round_is_not_changed(cast):
    survey = _round([cast.unit])
    with pytest.raises(Exception, match="Lav en kopi"):
        services.questionnaire_save(
            questionnaire=survey.questionnaire,
            by=cast.centre.user,
            expected_version=None,
            title="Ny",
            intro="",
            edits=services.RowEdits(),
        )
    copy = services.questionnaire_copy(questionnaire=survey.questionnaire, by=cast.centre.user)
    assert copy.questions.count() == survey.questionnaire.questions.count()


def test_the_results_page_asks_a_fixed_number_of_queries(
    client_for, cast, django_assert_max_num_queries
):
    units = [cast.unit, cast.other_unit, *[UnitFactory() for _n in range(6)]]
    first = _round(units, opens=-200, closes=-180)
    survey = _round(units, opens=-20, closes=-1)
    client = client_for("centre")
    for size in (1, 3):
        for r in (first, survey):
            for unit in units:
                _answers(r, unit, "colleagues", [3, 4, 5] * size, text="Tekst")
        with django_assert_max_num_queries(15):
            assert (
                client.get(reverse("evaluation:round_results", args=[survey.pk])).status_code == 200
            )
        with django_assert_max_num_queries(15):
            url = reverse("evaluation:round_results", args=[survey.pk]) + f"?unit={cast.unit.pk}"
            assert client.get(url).status_code == 200
    assert StaffMember.objects.exists()


def test_the_daily_job_invites_on_the_first_day_and_reminds_once_before_the_last(cast):
    from django.core.management import call_command

    survey = _round([cast.unit], opens=0, closes=10)
    call_command("send_survey_invitations", stdout=io.StringIO())
    assert len(mail.outbox) == 3 and "Vi vil gerne høre fra dig" in mail.outbox[0].subject
    assert "http://127.0.0.1:8000/evaluation/answer/" in mail.outbox[0].body
    call_command("send_survey_invitations", stdout=io.StringIO())
    assert len(mail.outbox) == 3  # nobody twice
    SurveyRound.objects.filter(pk=survey.pk).update(closes_on=TODAY + datetime.timedelta(days=4))
    Invitation.objects.filter(person=cast.mentor).update(answered=True)
    call_command("send_survey_invitations", stdout=io.StringIO())
    reminders = [m for m in mail.outbox[3:] if m.subject.startswith("Påmindelse")]
    assert sorted(m.to[0] for m in reminders) == sorted(
        [cast.leader.email, cast.peer.staff_member.email]
    )
    call_command("send_survey_invitations", stdout=io.StringIO())
    assert len(mail.outbox) == 5  # the reminder once


def test_a_unit_is_not_shown_when_one_of_its_groups_could_be_worked_out_from_it(cast):
    # One unit: five peer workers and one leader. The peer workers' figure is shown, so
    # the unit's (six) would give the leader's answer away: the unit is hidden.
    survey = _round([cast.unit], opens=-20, closes=-1)
    statement = _answers(survey, cast.unit, "peers", [4, 4, 4, 4, 4])
    _answers(survey, cast.unit, "leaders", [1])
    result = selectors.results(survey, None, TODAY)
    assert [(u, n, m[statement.pk]) for u, n, m in result.units] == [(cast.unit, 6, None)]
    cell = next(q for q in selectors.results(survey, cast.unit, TODAY).questions).cells["all"]
    assert not cell.shown


def test_free_text_comes_only_from_units_with_five_answerers_among_the_groups_asked(cast):
    survey = _round([cast.unit, cast.other_unit], opens=-20, closes=-1)
    _answers(survey, cast.unit, "colleagues", [4] * 5, text="Øst")
    _answers(survey, cast.other_unit, "colleagues", [4] * 3, text="Vest")
    result = selectors.results(survey, None, TODAY)
    texts = next(q.texts for q in result.text_questions if q.texts)
    assert all(t.startswith("Øst") for t in texts) and len(texts) == 5


def test_a_closed_round_is_not_opened_again(cast):
    survey = _round([cast.unit], opens=-20, closes=-1)
    with pytest.raises(ValidationError, match="åbnes ikke igen"):
        services.round_save(
            survey=survey,
            by=cast.centre.user,
            expected_version=None,
            units=[cast.unit],
            title=survey.title,
            closes_on=TODAY + datetime.timedelta(days=5),
        )
