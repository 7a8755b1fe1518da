"""The programme's health and a unit's signals read a fixed number of queries, however
many units and peer workers: measured at two sizes."""

import pytest
from django.urls import reverse
from django.utils import timezone

from programme.services import programme_health_store
from tests.peerprogram.test_home import _grow

pytestmark = pytest.mark.django_db

# Measured, equal at both sizes: session, user, actor (3), today's daily run (1) and the
# active units' organisations to filter by (1). Without a run: by name the count and the
# page of units (2), any other order every unit (1); then the peer workers' facts (1), the
# retention (1) and the checklists (5: their rows, committee seats, facts, counts, tasks).
# With the run: whether a unit has no line in it (1), the count and the page of lines,
# sorted in the database (2), and their signals not acknowledged (1). The session is not
# saved again within the minute.
HEALTH_QUERIES = {"name": 14, "attention": 13}
WITH_RUN = 9
# session, user, actor (3), the unit (1), its peer workers' facts (1).
UNIT_QUERIES = 5


@pytest.mark.parametrize("size", [2, 20])
@pytest.mark.parametrize("stored", [False, True], ids=["worked-out", "daily-run"])
def test_the_health_page_reads_as_many_queries_for_few_units_as_for_many(
    client_for, cast, size, stored, django_assert_num_queries
):
    _grow(cast, size)
    if stored:
        programme_health_store(timezone.localdate())
    client = client_for("centre")
    for sort, expected in HEALTH_QUERIES.items():
        expected = WITH_RUN if stored else expected
        url = reverse("programme:health") + f"?sort={sort}"
        client.get(url)
        with django_assert_num_queries(expected):
            assert client.get(url).status_code == 200
    url = reverse("programme:unit", args=[cast.unit.pk])
    client.get(url)
    with django_assert_num_queries(UNIT_QUERIES):
        assert client.get(url).status_code == 200


def test_the_health_pdf_is_an_a4_landscape_document_with_a_line_per_unit(client_for, cast):
    import io

    from pypdf import PdfReader

    response = client_for("centre").get(reverse("programme:health_pdf"))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "Programhelbred" in text
    assert "Enhed Ansat I alt Opstart Mentor Uddannelse Supervision Erfa Drift Alene" in text
    assert "F-ACT Øst 1" in text and "F-ACT Vest 1" in text
