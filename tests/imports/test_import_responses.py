"""`sipas import responses`: paper surveys and migrations, validated, all or nothing."""

import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, func, select

from app.imports.csvfile import CsvSource, ImportRejected
from app.imports.reference import ImportResult
from app.imports.responses import import_responses
from app.models import ChoiceAnswer, Response, TextAnswer
from app.surveys.forms import FormCatalog, decode_codes
from tests.factories import RESPONSE_HEADER, response_row, write_csv

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def run_import(session: Session, catalog: FormCatalog, path: Path) -> ImportResult:
    return import_responses(session, CsvSource.open(path), catalog, ZONE, cap=50, actor="test")


def stored(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Response)).one()


def rejected(
    session: Session, catalog: FormCatalog, path: Path
) -> list[tuple[int | None, str, str]]:
    before = stored(session)
    with pytest.raises(ImportRejected) as caught:
        run_import(session, catalog, path)
    assert stored(session) == before, "a rejected file must leave nothing behind"
    return [(error.line, error.field, error.message) for error in caught.value.errors]


def test_a_valid_file_is_stored_with_its_context(
    session: Session, catalog: FormCatalog, tmp_path: Path
) -> None:
    rows = [
        response_row(overall="2", improve="1;3", comment="Chờ lâu quá"),
        response_row(submitted_at="2026-10-31T23:30:00+07:00", overall="4"),
        response_row(submitted_at="2026-10-31T17:30:00+00:00", channel="counter"),
    ]
    result = run_import(session, catalog, write_csv(tmp_path / "paper.csv", rows))
    assert (result.rows, result.inserted, result.skipped) == (3, 3, 0)
    first = session.get(Response, uuid.UUID(rows[0]["id"]))
    assert first is not None
    form = catalog.get("counter-quick", 1)
    assert form is not None
    assert decode_codes(form, first.answer_codes) == {
        "access": 4,
        "procedure": 5,
        "staff": 5,
        "result": 4,
        "feedback": 0,
        "overall": 2,
    }
    assert (first.unit_id is not None, first.sector_code, first.channel) == (True, "land", "paper")
    choices = session.exec(select(ChoiceAnswer.code).where(ChoiceAnswer.response_id == first.id))
    assert sorted(choices) == [1, 3]
    text = session.exec(select(TextAnswer.text).where(TextAnswer.response_id == first.id)).one()
    assert text == "Chờ lâu quá"


def test_month_and_date_are_the_citys_whatever_the_offset(
    session: Session, catalog: FormCatalog, tmp_path: Path
) -> None:
    late_utc = response_row(submitted_at="2026-10-31T17:30:00+00:00")
    run_import(session, catalog, write_csv(tmp_path / "r.csv", [late_utc]))
    response = session.exec(select(Response)).all()[-1]
    assert response.month == "2026-11"
    assert response.local_date.isoformat() == "2026-11-01"


def test_reimporting_the_same_file_adds_nothing(
    session: Session, catalog: FormCatalog, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "paper.csv", [response_row(), response_row()])
    run_import(session, catalog, path)
    again = run_import(session, catalog, path)
    assert (again.inserted, again.skipped) == (0, 2)


def test_same_id_with_other_content_is_an_error(
    session: Session, catalog: FormCatalog, tmp_path: Path
) -> None:
    row = response_row()
    run_import(session, catalog, write_csv(tmp_path / "a.csv", [row]))
    changed = dict(row, overall="1")
    errors = rejected(session, catalog, write_csv(tmp_path / "b.csv", [response_row(), changed]))
    assert errors == [(3, "id", f"{row['id']} is already stored with other content")]


def test_a_paper_questionnaire_left_blank_is_stored_as_not_answered(
    session: Session, catalog: FormCatalog, tmp_path: Path
) -> None:
    """What a citizen left blank on paper is "not answered", never a reason to drop the
    sheet, nor an answer made up for it."""
    row = response_row(overall="", staff="")
    result = run_import(session, catalog, write_csv(tmp_path / "paper.csv", [row]))
    assert result.inserted == 1
    response = session.get(Response, uuid.UUID(row["id"]))
    assert response is not None
    form = catalog.get("counter-quick", 1)
    assert form is not None
    answers = decode_codes(form, response.answer_codes)
    assert "overall" not in answers
    assert "staff" not in answers
    assert answers["access"] == 4


def test_every_bad_row_is_reported_with_line_and_column(
    session: Session, catalog: FormCatalog, tmp_path: Path
) -> None:
    rows = [
        response_row(),
        response_row(id="not-a-uuid"),
        response_row(submitted_at="05/10/2026"),
        response_row(submitted_at="2026-10-05T09:14:02"),
        response_row(unit_code="99999"),
        response_row(sector="space"),
        response_row(channel="fax"),
        response_row(overall="7"),
        response_row(access="x"),
        response_row(overall="", channel="counter"),  # a counter's form cannot skip it
        response_row(form_version="9"),
        response_row(procedure_code="9.999999"),
        response_row(procedure_code="2.002481"),  # education's, on a land row
    ]
    errors = rejected(session, catalog, write_csv(tmp_path / "bad.csv", rows))
    assert [(line, column) for line, column, _ in errors] == [
        (3, "id"),
        (4, "submitted_at"),
        (5, "submitted_at"),
        (6, "unit_code"),
        (7, "sector"),
        (8, "channel"),
        (9, "overall"),
        (10, "access"),
        (11, "overall"),
        (12, "form_id"),
        (13, "procedure_code"),
        (14, "procedure_code"),
    ]
    messages = {(line, column): message for line, column, message in errors}
    assert messages[(5, "submitted_at")].startswith("needs a UTC offset")
    assert messages[(9, "overall")] == "code 7 is not one of 1, 2, 3, 4, 5"
    assert messages[(11, "overall")] == "an answer is required"


def test_missing_and_unknown_columns_are_named_on_line_1(
    session: Session, catalog: FormCatalog, tmp_path: Path
) -> None:
    header = [c for c in RESPONSE_HEADER if c != "channel"] + ["favourite_colour"]
    errors = rejected(session, catalog, write_csv(tmp_path / "h.csv", [response_row()], header))
    assert errors == [(1, "channel", "missing column"), (1, "favourite_colour", "unknown column")]


def test_bytes_that_are_not_utf8_name_their_line(
    session: Session, catalog: FormCatalog, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "latin.csv", [response_row(), response_row()])
    content = path.read_bytes().splitlines(keepends=True)
    content[2] = content[2].replace(b"paper", b"p\xe2per")
    path.write_bytes(b"".join(content))
    errors = rejected(session, catalog, path)
    assert len(errors) == 1
    line, column, message = errors[0]
    assert (line, column) == (3, "(row)")
    assert message.startswith("not UTF-8 (byte ")


def test_bytes_that_are_not_utf8_inside_a_quoted_field_name_their_line(
    session: Session, catalog: FormCatalog, tmp_path: Path
) -> None:
    rows = [response_row(), response_row(comment="Dòng một\nD\u00f2ng hai\nDòng ba")]
    path = write_csv(tmp_path / "quoted.csv", rows)
    path.write_bytes(path.read_bytes().replace("D\u00f2ng hai".encode(), b"D\xf2ng hai"))
    errors = rejected(session, catalog, path)
    assert [(line, column) for line, column, _ in errors] == [(4, "(row)")]
    assert errors[0][2].startswith("not UTF-8 (byte 2 ")


def test_a_header_of_thousands_of_columns_is_refused_on_line_1(
    session: Session, catalog: FormCatalog, tmp_path: Path
) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(",".join(["comment"] * 20_000) + "\n", encoding="utf-8")
    assert rejected(session, catalog, path) == [
        (1, "(header)", "20000 columns; a file may have 500")
    ]


def test_a_duplicate_id_inside_one_file(
    session: Session, catalog: FormCatalog, tmp_path: Path
) -> None:
    row = response_row()
    same = run_import(session, catalog, write_csv(tmp_path / "same.csv", [row, dict(row)]))
    assert (same.inserted, same.skipped) == (1, 1)
    other = dict(response_row(), id=response_row()["id"])
    twin = dict(other, overall="1")
    errors = rejected(session, catalog, write_csv(tmp_path / "twin.csv", [other, twin]))
    assert errors[0][:2] == (3, "id")


def test_a_file_checked_on_several_cores_is_stored_and_refused_as_on_one(
    session: Session, catalog: FormCatalog, tmp_path: Path
) -> None:
    # Three chunks of 2,000 rows; the repeated row crosses a chunk's edge.
    rows = [response_row(overall=str(1 + n % 5)) for n in range(4_500)]
    rows.append(dict(rows[10]))
    path = write_csv(tmp_path / "big.csv", rows)
    bad = [dict(row) for row in rows]
    bad[7]["overall"], bad[2_500]["unit_code"], bad[4_499]["id"] = "7", "99999", "x"
    bad_path = write_csv(tmp_path / "bad.csv", bad)

    def run(file: Path, workers: int) -> ImportResult:
        source = CsvSource.open(file)
        return import_responses(session, source, catalog, ZONE, 50, "test", workers=workers)

    refused = []
    for workers in (1, 2):
        with pytest.raises(ImportRejected) as caught:
            run(bad_path, workers)
        refused.append([(e.line, e.field, e.message) for e in caught.value.errors])
    assert refused[0] == refused[1]
    assert [(line, column) for line, column, _ in refused[1]] == [
        (9, "overall"), (2502, "unit_code"), (4501, "id")
    ]  # fmt: skip

    result = run(path, workers=2)
    assert (result.rows, result.inserted, result.skipped) == (4_501, 4_500, 1)
    again = run(path, workers=1)
    assert (again.inserted, again.skipped) == (0, 4_501), "one process sees the same content"
    last = session.get(Response, uuid.UUID(rows[4_499]["id"]))
    assert last is not None
    assert last.channel == rows[4_499]["channel"]


def test_an_id_stored_with_other_content_is_named_in_line_order(
    session: Session, catalog: FormCatalog, tmp_path: Path
) -> None:
    kept = response_row()
    run_import(session, catalog, write_csv(tmp_path / "first.csv", [kept]))
    rows = [response_row(), dict(kept, overall="1"), response_row(overall="7")]
    errors = rejected(session, catalog, write_csv(tmp_path / "second.csv", rows))
    assert [(line, column) for line, column, _ in errors] == [(3, "id"), (4, "overall")]
    assert errors[0][2] == f"{kept['id']} is already stored with other content"
