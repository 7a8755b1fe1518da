import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from peerprogram.imports import read_dataset, run_import
from peerprogram.models import AuditEvent, CheckedImport, StaffMember, Unit
from peerprogram.resources import StaffResource

pytestmark = pytest.mark.django_db

STAFF_URL = reverse("peerprogram:data_import", kwargs={"kind": "staff"})
UNITS_URL = reverse("peerprogram:data_import", kwargs={"kind": "units"})


def _csv(text: str, name: str = "staff.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_staff_import_previews_then_saves_only_on_confirm(client_for, cast):
    client = client_for("leader", "en")
    upload = _csv(
        "name,email,phone,unit,profession,centre_staff,active\n"
        "Bo Berg,bo@example.org,,F-ACT Øst,nurse,nej,ja\n"
        "Eva Eng,EVA@example.org,+45 1234,F-ACT Øst,Psykolog,,\n"
    )
    response = client.post(STAFF_URL, {"file": upload})
    report = response.context["report"]
    assert (report.ok, report.new, report.updated) == (True, 2, 0)
    assert [row["line"] for row in report.rows] == [2, 3]
    assert not StaffMember.objects.filter(email="bo@example.org").exists()

    response = client.post(STAFF_URL, {"confirm": "1", "digest": response.context["digest"]})
    assert response.status_code == 302
    eva = StaffMember.objects.get(email="eva@example.org")
    assert (eva.profession, eva.unit, eva.phone) == ("psychologist", cast.unit, "+45 1234")
    rows = AuditEvent.objects.filter(action="staff_import").order_by("object_id")
    assert [(r.object_id, r.summary) for r in rows] == [
        (StaffMember.objects.get(email="bo@example.org").pk, "created"),
        (eva.pk, "created"),
    ]


def test_a_file_with_one_bad_row_imports_nothing_and_names_row_and_column(client_for, cast):
    client = client_for("leader", "en")
    upload = _csv(
        "name;email;unit;profession\n"
        "Bo Berg;bo@example.org;F-ACT Øst;nurse\n"
        "Eva Eng;eva@example.org;F-ACT Øst;astronaut\n"
        "Ib Ild;ib@example.org;F-ACT Vest;nurse\n"
        "Ane And;not-an-email;F-ACT Øst;nurse\n"
    )
    response = client.post(STAFF_URL, {"file": upload})
    problems = [str(p) for p in response.context["report"].problems]
    assert problems == [
        "Row 3, column “profession”: “astronaut” is not one of the allowed values: Nurse, "
        "Social and health care assistant, Psychologist, Doctor, Occupational therapist, "
        "Social worker, Peer worker, Other.",
        "Row 4, column “unit”: There is no unit named “F-ACT Vest” that you may add staff to.",
        "Row 5, column “email”: Enter a valid email address.",
    ]
    assert not CheckedImport.objects.exists()
    assert not StaffMember.objects.filter(email="bo@example.org").exists()


def test_danish_headers_and_error_messages(client_for, cast):
    client = client_for("leader")
    upload = _csv("Navn;E-mail;Enhed;Faggruppe\nBo Berg;;F-ACT Øst;sygeplejerske\n")
    response = client.post(STAFF_URL, {"file": upload})
    problems = [str(p) for p in response.context["report"].problems]
    assert problems == ["Række 2, kolonne “email”: Udfyld feltet."]


def test_missing_columns_are_named(client_for, cast):
    response = client_for("leader", "en").post(STAFF_URL, {"file": _csv("name,email\nBo,b@x.dk\n")})
    assert [str(p) for p in response.context["report"].problems] == [
        "The file lacks the column(s): unit, profession. Row 1 must hold the column names."
    ]


def test_the_same_email_twice_in_one_file_is_an_error(client_for, cast):
    upload = _csv(
        "name,email,unit,profession\nBo,bo@example.org,F-ACT Øst,nurse\n"
        "Bo igen,BO@example.org,F-ACT Øst,nurse\n"
    )
    response = client_for("leader", "en").post(STAFF_URL, {"file": upload})
    assert [str(p) for p in response.context["report"].problems] == [
        "Row 3, column “email”: The same value also stands in row 2 of this file."
    ]


def test_a_leader_cannot_move_staff_of_another_unit_by_import(client_for, cast):
    upload = _csv(f"name,email,unit,profession\nOle,{cast.outsider.email},F-ACT Øst,nurse\n")
    response = client_for("leader", "en").post(STAFF_URL, {"file": upload})
    assert [str(p) for p in response.context["report"].problems] == [
        "Row 2, column “email”: This e-mail belongs to a staff member outside your units."
    ]
    cast.outsider.refresh_from_db()
    assert cast.outsider.unit == cast.other_unit


def test_a_file_in_neither_utf8_nor_windows_1252_gets_a_clear_error(client_for, cast):
    """Excel's own "CSV" (Windows-1252) is read (test_import_limits.py); UTF-16 is not."""
    upload = SimpleUploadedFile("staff.csv", "name\nSøren\n".encode("utf-16"))
    response = client_for("leader", "en").post(STAFF_URL, {"file": upload})
    assert response.context["form"].errors["file"] == [
        "The CSV file is not UTF-8. Save it as “CSV UTF-8” and try again."
    ]


def test_confirm_without_a_checked_file_asks_for_a_new_upload(client_for, cast):
    response = client_for("leader", "en").post(
        STAFF_URL, {"confirm": "1", "digest": "0" * 64}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [
        "The checked file is no longer available. Upload it again."
    ]


def test_units_export_then_import_round_trip_from_excel(client_for, cast):
    client = client_for("centre", "en")
    response = client.get(reverse("peerprogram:data_export", kwargs={"kind": "units"}))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book.active.values)
    assert book.active.title == "Enheder"
    assert rows[0] == ("Navn", "Type", "Organisation", "Leder", "Aktiv")
    assert ("F-ACT Øst", "F-ACT team", "Region Nord (test)", cast.leader.email, "yes") in rows

    book.active.append(("Sengeafsnit S2", "Inpatient ward", "Region Nord", None, "ja"))
    out = io.BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("units.xlsx", out.getvalue())
    response = client.post(UNITS_URL, {"file": upload})
    report = response.context["report"]
    assert (report.ok, report.new, report.updated, report.unchanged) == (True, 1, 0, 3)
    client.post(UNITS_URL, {"confirm": "1", "digest": response.context["digest"]})
    assert Unit.objects.get(name="Sengeafsnit S2").kind == Unit.Kind.INPATIENT


def test_staff_export_as_csv_holds_only_the_leaders_units(client_for, cast):
    response = client_for("leader", "en").get(
        reverse("peerprogram:data_export", kwargs={"kind": "staff"}), {"format": "csv"}
    )
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "Navn,E-mail,Telefon,Enhed,Faggruppe,Centermedarbejder,Aktiv"
    assert "Mads Mentor" in text and "Ole Udenfor" not in text


@pytest.mark.parametrize("rows", [10, 100])
def test_import_query_count_grows_at_most_linearly(
    client_for, cast, rows, django_assert_max_num_queries
):
    body = "name,email,unit,profession\n" + "".join(
        f"Person {i},p{i}@example.org,F-ACT Øst,nurse\n" for i in range(rows)
    )
    client = client_for("centre")
    with django_assert_max_num_queries(20 + 8 * rows):
        response = client.post(STAFF_URL, {"file": _csv(body)})
    assert response.context["report"].new == rows


def test_blank_lines_keep_row_numbers_and_empty_rows_are_skipped(client_for, cast):
    upload = _csv(
        "name;email;unit;profession\n"
        "Bo Berg;bo@example.org;F-ACT Øst;nurse\n"
        "\n"
        ";;;\n"
        "Eva Eng;eva@example.org;F-ACT Øst;astronaut\n"
    )
    response = client_for("leader", "en").post(STAFF_URL, {"file": upload})
    assert [str(p) for p in response.context["report"].problems] == [
        "Row 5, column “profession”: “astronaut” is not one of the allowed values: Nurse, "
        "Social and health care assistant, Psychologist, Doctor, Occupational therapist, "
        "Social worker, Peer worker, Other."
    ]


def test_unknown_columns_are_named_in_the_preview(client_for, cast):
    upload = _csv("name,email,unit,profession,shoe size\nBo,bo@example.org,F-ACT Øst,nurse,44\n")
    report = client_for("leader", "en").post(STAFF_URL, {"file": upload}).context["report"]
    assert report.ok
    assert report.warnings == ["These columns are not used and will be ignored: shoe size."]


def test_confirm_imports_only_the_file_that_was_checked_last(client_for, cast):
    client = client_for("leader", "en")
    good = client.post(
        STAFF_URL, {"file": _csv("name,email,unit,profession\nBo,bo@example.org,F-ACT Øst,nurse\n")}
    )
    client.post(
        STAFF_URL, {"file": _csv("name,email,unit,profession\nEva,eva@x.dk,Nowhere,nurse\n")}
    )
    response = client.post(STAFF_URL, {"confirm": "1", "digest": good.context["digest"]})
    assert response.status_code == 302
    assert not StaffMember.objects.filter(email="bo@example.org").exists()


def test_export_neutralises_text_that_looks_like_a_formula_and_import_restores_it(client_for, cast):
    StaffMember.objects.filter(pk=cast.mentor.pk).update(name="=HYPERLINK(1)")
    client = client_for("centre", "en")
    response = client.get(reverse("peerprogram:data_export", kwargs={"kind": "staff"}))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    names = [row[0] for row in book.active.values]
    assert "'=HYPERLINK(1)" in names
    out = io.BytesIO()
    book.save(out)
    response = client.post(STAFF_URL, {"file": SimpleUploadedFile("s.xlsx", out.getvalue())})
    assert response.context["report"].unchanged == StaffMember.objects.count()


def test_an_import_moves_the_version_on_so_an_open_edit_form_is_refused(client_for, cast):
    client = client_for("centre", "en")
    version = cast.mentor.version
    response = client.post(
        STAFF_URL,
        {
            "file": _csv(
                f"name,email,unit,profession\nMads Ny,{cast.mentor.email},F-ACT Øst,nurse\n"
            )
        },
    )
    client.post(STAFF_URL, {"confirm": "1", "digest": response.context["digest"]})
    cast.mentor.refresh_from_db()
    assert cast.mentor.version == version + 1


def test_a_leader_cannot_switch_off_someone_who_leads_another_unit_by_import(client_for, cast):
    cast.outsider.unit = cast.unit
    cast.outsider.save()
    upload = _csv(
        f"name,email,unit,profession,active\nOle,{cast.outsider.email},F-ACT Øst,nurse,nej\n"
    )
    response = client_for("leader", "en").post(STAFF_URL, {"file": upload})
    assert [str(p) for p in response.context["report"].problems] == [
        "Row 2, column “email”: This person is Centre staff or leads another unit; only Centre "
        "staff and administrators can change them."
    ]


def test_a_units_import_cannot_make_a_peer_worker_the_leader(client_for, cast):
    email = cast.peer.staff_member.email
    upload = _csv(
        f"name,kind,organisation,leader\nF-ACT Øst,F-ACT team,Region Nord,{email}\n", "units.csv"
    )
    response = client_for("centre", "en").post(UNITS_URL, {"file": upload})
    assert [str(p) for p in response.context["report"].problems] == [
        "Row 2, column “leader”: The leader must be an active staff member of this unit, and "
        "not a peer worker."
    ]


def test_the_admin_import_of_staff_previews_a_file(client_for, cast):
    """The admin's own import passes keyword arguments to the resource (it answered 500)."""
    client = client_for("admin")
    url = "/admin/peerprogram/staffmember/import/"
    assert client.get(url).status_code == 200
    content = (
        "name,email,unit,profession\n"
        f"Admin Import,admin.import@example.org,{cast.unit.name},nurse\n"
    ).encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        url,
        {"import_file": SimpleUploadedFile("staff.csv", content), "format": "0"},
    )
    assert response.status_code == 200
    assert b"admin.import@example.org" in response.content


# Written in batches (bulk mode): the same rules, the same audit rows ---------------------


def test_a_file_of_several_batches_imports_every_row_lowercased_with_an_audit_row_each(
    client_for, cast
):
    rows = 250
    body = "name,email,unit,profession\n" + "".join(
        f"Person {i:03d},Person.{i:03d}@Example.ORG,F-ACT Øst,nurse\n" for i in range(rows)
    )
    client = client_for("leader", "en")
    response = client.post(STAFF_URL, {"file": _csv(body)})
    client.post(STAFF_URL, {"confirm": "1", "digest": response.context["digest"]})

    imported = StaffMember.objects.filter(name__startswith="Person ").order_by("name")
    assert [(s.email, s.version, s.unit) for s in imported] == [
        (f"person.{i:03d}@example.org", 1, cast.unit) for i in range(rows)
    ]
    audit = AuditEvent.objects.filter(action="staff_import").order_by("object_id")
    assert [(a.object_type, a.object_id, a.summary, a.actor) for a in audit] == [
        ("peerprogram.staffmember", s.pk, "created", cast.leader.user)
        for s in imported.order_by("pk")
    ]


def test_an_import_that_adds_and_changes_staff_writes_created_and_updated_audit_rows(
    client_for, cast
):
    upload = _csv(
        "name,email,unit,profession\n"
        f"Mads Mentor,{cast.mentor.email},F-ACT Øst,psychologist\n"
        "Bo Berg,bo@example.org,F-ACT Øst,nurse\n"
        f"Lene Leder,{cast.leader.email},F-ACT Øst,nurse\n"
    )
    client = client_for("centre", "en")
    response = client.post(STAFF_URL, {"file": upload})
    assert (response.context["report"].new, response.context["report"].updated) == (1, 1)
    assert response.context["report"].unchanged == 1
    client.post(STAFF_URL, {"confirm": "1", "digest": response.context["digest"]})

    bo = StaffMember.objects.get(email="bo@example.org")
    cast.mentor.refresh_from_db()
    assert cast.mentor.profession == "psychologist"
    rows = AuditEvent.objects.filter(action="staff_import").order_by("object_id")
    assert sorted((r.object_id, r.summary, r.actor) for r in rows) == sorted(
        [(cast.mentor.pk, "updated", cast.centre.user), (bo.pk, "created", cast.centre.user)]
    )


def test_an_email_already_stored_with_capitals_is_taken(client_for, cast):
    StaffMember.objects.filter(pk=cast.mentor.pk).update(email="Mads.Mentor@Example.org")
    upload = _csv("name,email,unit,profession\nMads To,mads.mentor@example.org,F-ACT Øst,nurse\n")
    response = client_for("leader", "en").post(STAFF_URL, {"file": upload})
    assert [str(p) for p in response.context["report"].problems] == [
        "Row 2, column “email”: There is already a member of staff with this e-mail."
    ]


def test_a_new_unit_named_as_an_existing_one_in_other_letters_is_refused(client_for, cast):
    upload = _csv("name,kind,organisation\nF-ACT VEST,F-ACT team,Region Nord\n", "units.csv")
    response = client_for("centre", "en").post(UNITS_URL, {"file": upload})
    assert [str(p) for p in response.context["report"].problems] == [
        "Row 2: A unit with this name already exists."
    ]


def test_a_peer_workers_profession_cannot_be_changed_by_import(client_for, cast):
    member = cast.peer.staff_member
    upload = _csv(f"name,email,unit,profession\n{member.name},{member.email},F-ACT Øst,nurse\n")
    response = client_for("leader", "en").post(STAFF_URL, {"file": upload})
    assert [str(p) for p in response.context["report"].problems] == [
        "Row 2, column “profession”: This person is employed as peer worker; the profession stays."
    ]


def test_a_row_the_database_refuses_when_written_rolls_the_whole_file_back(cast):
    class SomeoneElseAddsEva(StaffResource):
        """Between the check of a row and the write of its batch, another user adds Eva."""

        def before_save_instance(self, instance, row, **kwargs):
            super().before_save_instance(instance, row, **kwargs)
            if instance.email == "eva@example.org":
                StaffMember.objects.create(
                    name="Eva Anden", email="eva@example.org", unit=cast.unit, profession="ot"
                )

    content = (
        "name,email,unit,profession\n"
        "Bo Berg,bo@example.org,F-ACT Øst,nurse\n"
        "Eva Eng,eva@example.org,F-ACT Øst,nurse\n"
    ).encode()
    report = run_import(
        resource=SomeoneElseAddsEva(),
        parsed=read_dataset(content, "staff.csv"),
        dry_run=False,
        by=cast.admin_user,
        label="staff",
    )

    assert [(p.row, p.column) for p in report.problems] == [(3, "")]
    assert "peerprogram_staffmember" in report.problems[0].message  # the database's words
    assert not StaffMember.objects.filter(email__in=["bo@example.org", "eva@example.org"]).exists()
    assert not AuditEvent.objects.filter(action="staff_import").exists()


def test_the_admin_import_of_staff_saves_the_rows_with_their_audit_rows(client_for, cast):
    client = client_for("admin")
    content = (
        "name,email,unit,profession\n"
        f"Admin Import,Admin.Import@example.org,{cast.unit.name},nurse\n"
        f"Mads Mentor,{cast.mentor.email},{cast.unit.name},doctor\n"
    ).encode()
    preview = client.post(
        "/admin/peerprogram/staffmember/import/",
        {"import_file": SimpleUploadedFile("staff.csv", content), "format": "0"},
    )
    confirm = preview.context["confirm_form"].initial

    response = client.post("/admin/peerprogram/staffmember/process_import/", confirm)

    assert response.status_code == 302
    added = StaffMember.objects.get(email="admin.import@example.org")
    cast.mentor.refresh_from_db()
    assert (cast.mentor.profession, cast.mentor.version) == ("doctor", 2)
    rows = AuditEvent.objects.filter(action="import_import")
    assert sorted((r.object_id, r.summary) for r in rows) == sorted(
        [(added.pk, "created"), (cast.mentor.pk, "updated")]
    )


def test_a_long_file_previews_its_first_hundred_rows_and_says_how_many_more(client_for, cast):
    client = client_for("centre")
    lines = "".join(f"Person {i},p{i}@example.org,,F-ACT Øst,nurse\n" for i in range(130))
    response = client.post(STAFF_URL, {"file": _csv("name,email,phone,unit,profession\n" + lines)})
    html = response.content.decode()
    assert response.context["report"].new == 130
    assert "p99@example.org" in html and "p100@example.org" not in html
    assert "… og 30 rækker mere, som ikke vises her; de importeres sammen med de andre." in html

    response = client.post(STAFF_URL, {"confirm": "1", "digest": response.context["digest"]})
    assert response.status_code == 302
    assert (
        StaffMember.objects.filter(email__startswith="p", name__startswith="Person").count() == 130
    )


def test_a_short_file_previews_every_row_without_a_remark(client_for, cast):
    client = client_for("centre")
    lines = "".join(f"Person {i},p{i}@example.org,,F-ACT Øst,nurse\n" for i in range(100))
    response = client.post(STAFF_URL, {"file": _csv("name,email,phone,unit,profession\n" + lines)})
    html = response.content.decode()
    assert "p99@example.org" in html
    assert 'data-testid="import-more-rows"' not in html


def test_the_checked_file_waits_outside_the_session_for_its_user_only(client_for, cast):
    """The session is written on every request: a checked file there made every page move
    it. It waits in a row of its own, which the confirmation removes."""
    client = client_for("centre")
    lines = "".join(f"Person {i},p{i}@example.org,,F-ACT Øst,nurse\n" for i in range(50))
    response = client.post(STAFF_URL, {"file": _csv("name,email,phone,unit,profession\n" + lines)})
    digest = response.context["digest"]
    assert "p49@example.org" not in str(dict(client.session))
    kept = CheckedImport.objects.get()
    assert (kept.user, kept.kind, kept.digest) == (cast.centre.user, "import:staff", digest)

    # Someone else cannot confirm it, not even with its digest.
    other = client_for("admin")
    other.post(STAFF_URL, {"confirm": "1", "digest": digest})
    assert CheckedImport.objects.count() == 1
    assert not StaffMember.objects.filter(email="p0@example.org").exists()

    client = client_for("centre")
    response = client.post(STAFF_URL, {"confirm": "1", "digest": digest})
    assert response.status_code == 302
    assert not CheckedImport.objects.exists()
    assert (
        StaffMember.objects.filter(email__startswith="p", name__startswith="Person").count() == 50
    )


def test_a_checked_file_older_than_a_session_is_removed_with_the_next_upload(
    client_for, cast, settings
):
    client = client_for("centre")
    upload = "name,email,phone,unit,profession\nBo Berg,bo@example.org,,F-ACT Øst,nurse\n"
    client.post(STAFF_URL, {"file": _csv(upload)})
    CheckedImport.objects.update(
        created_at=timezone.now() - datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE + 1)
    )
    client_for("leader").post(STAFF_URL, {"file": _csv(upload)})
    assert list(CheckedImport.objects.values_list("user__username", flat=True)) == [
        cast.leader.user.username
    ]
