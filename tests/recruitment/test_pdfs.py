"""The onboarding PDFs: the summary's lines and pages, the checklist of one onboarding, and
the unit filter of the overview they are reached from."""

import datetime
import gc
import io
from types import SimpleNamespace

import pytest
from dateutil.relativedelta import relativedelta
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from weasyprint import HTML

from employment.selectors import Retention, RetentionRow
from peerprogram.models import PeerWorker
from peerprogram.pdf import _collector_paused
from recruitment import selectors, services
from recruitment.summary import (
    RETENTION_ROWS_FIRST_PAGE,
    SUMMARY_ROWS_FIRST_PAGE,
    SUMMARY_ROWS_PER_PAGE,
    retention_pages,
    share_text,
    summary_columns,
    summary_pages,
)
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def _row(name: str, *, unit="F-ACT Øst", peer=True, done=3, total=30, overdue=0, task=None):
    """A summary row as the selectors give it: the onboarding and its figures."""
    onboarding = SimpleNamespace(
        label=name,
        peer_id=1 if peer else None,
        unit_name=unit,
        start_date=datetime.date(2026, 3, 2),
    )
    next_open = (
        SimpleNamespace(item=SimpleNamespace(title=task), due=datetime.date(2026, 4, 1))
        if task
        else None
    )
    return SimpleNamespace(
        onboarding=onboarding,
        done=done,
        total=total,
        overdue=overdue,
        percent=round(100 * done / total),
        next_open=next_open,
    )


def test_each_checklist_is_one_line_of_the_programme_summary(client_for, cast, vacancy):
    onboarding = services.onboarding_start_for_peer(peer=cast.peer, by=cast.leader.user)
    item = onboarding.items.get(title="Udarbejd ansættelseskontrakt")
    services.checklist_item_set_done(
        item=item, by=cast.leader.user, done=True, expected_version=item.version
    )
    progress = selectors.onboarding_detail(onboarding)
    nxt = progress.next_open

    text = _text(client_for("centre").get(reverse("recruitment:onboarding_summary_pdf")))

    assert "Opstartsoversigt: hele programmet" in text
    assert "2 tjeklister" in text
    heading = "Peermedarbejder / stilling Enhed Start Fremdrift Overskredet Næste frist"
    assert heading + " Næste opgave" in text
    overdue = str(progress.overdue) if progress.overdue else "–"
    assert (
        f"Pia Peer F-ACT Øst {cast.peer.start_date:%d.%m.%Y} {progress.done}/{progress.total} "
        f"{progress.percent} % {overdue} {nxt.due:%d.%m.%Y} {nxt.item.title}"
    ) in text
    assert f"Peermedarbejder (stilling) F-ACT Øst {vacancy.planned_start_date:%d.%m.%Y}" in text


def test_the_units_summary_leaves_out_the_unit_column(client_for, cast, vacancy):
    url = reverse("recruitment:onboarding_summary_pdf") + f"?unit={cast.unit.pk}"
    text = _text(client_for("leader").get(url))
    assert "Opstartsoversigt: F-ACT Øst" in text
    assert "Peermedarbejder / stilling Start Fremdrift Overskredet" in text
    assert "Enhed" not in text


def test_a_summary_without_checklists_says_so(client_for, cast):
    text = _text(client_for("centre").get(reverse("recruitment:onboarding_summary_pdf")))
    assert "0 tjeklister" in text and "Ingen tjeklister." in text


def test_the_summary_lines_keep_their_columns_and_cut_long_texts():
    rows = [
        _row("Vibeke Falk", overdue=2, done=29, total=31, task="Aftal hvor og hvornår"),
        _row("W" * 40, unit="Psykiatrisk ambulatorium for unge, Nord", task="T" * 80),
        _row("Peermedarbejder til F-ACT Aalborg Syd", peer=False, done=3, total=31),
    ]
    heading, pages = summary_pages(rows, with_unit=True)
    assert heading == (
        "Peermedarbejder / stilling      Enhed                     Start       Fremdrift    "
        "Overskredet  Næste frist  Næste opgave"
    )
    assert pages == [
        "Vibeke Falk                     F-ACT Øst                 02.03.2026  29/31  94 %    "
        "        2  01.04.2026   Aftal hvor og hvornår\n"
        "WWWWWWWWWWWWWWWWWWWWWWWWWWWWW…  Psykiatrisk ambulatoriu…  02.03.2026   3/30  10 %    "
        "        –  01.04.2026   " + "T" * 51 + "…\n"
        "Peermedarbejder ti… (stilling)  F-ACT Øst                 02.03.2026   3/31  10 %    "
        "        –               Alt udført"
    ]
    lines = pages[0].split("\n")
    for title, value, rows in [("Start", "02.03.2026", 3), ("Næste frist", "01.04.2026", 2)]:
        assert {line[heading.index(title) :][: len(value)] for line in lines[:rows]} == {value}
    width = sum(w for _title, w, _right in summary_columns(with_unit=True)) + 2 * 6
    assert max(len(line) for line in [heading, *lines]) == width == 161


def test_without_the_unit_column_the_names_and_tasks_get_its_width():
    rows = [_row("Peermedarbejder til F-ACT Aalborg Syd", peer=False, task="T" * 80)]
    heading, pages = summary_pages(rows, with_unit=False)
    assert heading == (
        "Peermedarbejder / stilling                Start       Fremdrift    Overskredet  "
        "Næste frist  Næste opgave"
    )
    assert pages == [
        "Peermedarbejder til F-ACT Aa… (stilling)  02.03.2026   3/30  10 %            –  "
        "01.04.2026   " + "T" * 67 + "…"
    ]


def test_the_summary_pages_hold_a_fixed_number_of_rows_and_never_overflow():
    # The widest letters and the longest texts: were a line to wrap or a page to overflow,
    # WeasyPrint would make more pages than the summary's own.
    count = SUMMARY_ROWS_FIRST_PAGE + 2 * SUMMARY_ROWS_PER_PAGE + 5
    rows = [
        _row("W" * 40, unit="M" * 40, done=300, total=310, overdue=120, task="W" * 90)
        for _ in range(count)
    ]
    heading, pages = summary_pages(rows, with_unit=True)
    assert [len(p.split("\n")) for p in pages] == [
        SUMMARY_ROWS_FIRST_PAGE,
        SUMMARY_ROWS_PER_PAGE,
        SUMMARY_ROWS_PER_PAGE,
        5,
    ]
    # The retention per unit the same way, after the programme's figures and every reason.
    units = RETENTION_ROWS_FIRST_PAGE + SUMMARY_ROWS_PER_PAGE + 3
    wide = RetentionRow("M" * 60, 9999, 9999, 9999, 999.5, (9999, 9999), (9998, 9999))
    retention_heading, units_pages = retention_pages([wide] * units)
    assert [len(p.split("\n")) for p in units_pages] == [
        RETENTION_ROWS_FIRST_PAGE,
        SUMMARY_ROWS_PER_PAGE,
        3,
    ]
    reasons = [(str(label), 9999) for label in PeerWorker.EndReason.labels]
    html = render_to_string(
        "recruitment/pdf/summary.html",
        {
            "rows": rows,
            "overdue": count,
            "heading": heading,
            "pages": pages,
            "unit": None,
            "today": TODAY(),
            "generated_at": timezone.localtime(),
            "generated_by": "Cecilie Center",
            "retention": Retention(total=wide, units=[], reasons=reasons),
            "after_one": share_text(wide.after_one),
            "after_two": share_text(wide.after_two),
            "retention_heading": retention_heading,
            "retention_pages": units_pages,
        },
    )
    document = HTML(string=html).render()
    assert len(document.pages) == 4 + 3


def test_the_onboarding_pdf_lists_every_phase_with_each_tasks_owner_due_date_and_state(
    client_for, cast
):
    onboarding = services.onboarding_start_for_peer(peer=cast.peer, by=cast.leader.user)
    text = _text(
        client_for("leader").get(reverse("recruitment:onboarding_pdf", args=[onboarding.pk]))
    )
    progress = selectors.onboarding_detail(onboarding)
    phases = [str(phase) for phase, _s in progress.by_phase()]
    assert phases[:3] == ["Før ansættelse", "Forberedelse af teamet", "Opstart"]
    # The phases in their order, each followed by its tasks: the title, then who, when
    # and how far.
    position = 0
    for phase, statuses in progress.by_phase():
        position = text.index(f"{phase} ", position)
        for status in statuses:
            position = text.index(status.item.title, position)
            who = status.item.get_responsible_display().lower()
            position = text.index(f"Ansvarlig: {who} · frist {status.due:%d.%m.%Y} · ", position)
    assert "Mentor Mads Mentor (sygeplejerske)" in text


def test_the_overview_offers_the_units_with_the_chosen_one_selected(client_for, cast):
    second = UnitFactory(name="Enhed <Nord> & Co", leader=cast.leader)
    response = client_for("leader").get(
        reverse("recruitment:checklist_overview") + f"?unit={second.pk}"
    )
    html = response.content.decode()
    assert f'<option value="{second.pk}" selected>Enhed &lt;Nord&gt; &amp; Co</option>' in html
    assert f'<option value="{cast.unit.pk}">F-ACT Øst</option>' in html
    assert html.index("Enhed &lt;Nord&gt;") < html.index(">F-ACT Øst<")


def test_the_garbage_collector_is_paused_while_a_pdf_is_laid_out_and_runs_again_after(
    client_for, cast, monkeypatch
):
    seen = []
    real_write_pdf = HTML.write_pdf

    def write_pdf(self, *args, **kwargs):
        seen.append(gc.isenabled())
        return real_write_pdf(self, *args, **kwargs)

    monkeypatch.setattr(HTML, "write_pdf", write_pdf)
    onboarding = services.onboarding_start_for_peer(peer=cast.peer, by=cast.leader.user)
    url = reverse("recruitment:onboarding_pdf", args=[onboarding.pk])
    assert client_for("leader").get(url).status_code == 200
    assert seen == [False] and gc.isenabled()

    def fails(self, *args, **kwargs):
        raise RuntimeError("the layout failed")

    monkeypatch.setattr(HTML, "write_pdf", fails)
    with pytest.raises(RuntimeError):
        client_for("leader").get(url)
    assert gc.isenabled()


def test_overlapping_renders_turn_the_collector_on_again_only_when_the_last_one_ends():
    """Two threads rendering at once: the collector is the whole process's."""
    first, second = _collector_paused(), _collector_paused()
    first.__enter__()
    second.__enter__()
    assert not gc.isenabled()
    first.__exit__(None, None, None)
    assert not gc.isenabled()  # the second render is still laying out
    second.__exit__(None, None, None)
    assert gc.isenabled()
    gc.disable()  # a process that runs without the collector keeps it off
    try:
        with _collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_summary_ends_with_retention_per_unit_and_the_reasons_for_leaving(client_for, cast):
    today = timezone.localdate()
    cast.peer.start_date = today - relativedelta(years=2, months=1)
    cast.peer.save()
    cast.other_peer.start_date = today - relativedelta(years=1, months=6)
    cast.other_peer.end_date = today - relativedelta(months=3)
    cast.other_peer.end_reason = PeerWorker.EndReason.EDUCATION
    cast.other_peer.save()

    text = _text(client_for("centre").get(reverse("recruitment:onboarding_summary_pdf")))
    assert "Fastholdelse: hele programmet" in text
    assert "Peermedarbejdere, der er startet: 2 · ansat nu: 1 · fratrådt: 1" in text
    assert "Stadig ansat efter 1 år: 100 % (2/2) · efter 2 år: 100 % (1/1)" in text
    assert "Eget ønske: uddannelse: 1" in text
    assert "Enhed Ansat i alt Ansat nu Fratrådt Median anciennitet" in text
    assert f"{cast.other_unit.name} 1 0 1" in text

    url = reverse("recruitment:onboarding_summary_pdf") + f"?unit={cast.unit.pk}"
    text = _text(client_for("leader").get(url))
    assert "Fastholdelse: F-ACT Øst" in text
    assert "Peermedarbejdere, der er startet: 1 · ansat nu: 1 · fratrådt: 0" in text
    assert "Ingen ansættelse er sluttet." in text
