"""The report as a workbook (one sheet per table, numbers as numbers) and as CSV."""

import csv
import io
import zipfile
from typing import Any

from app.reports.content import MonthlyReport
from app.reports.render_tables import DECIMAL, INTEGER, PERCENT, tables
from app.reports.summary import methodology, summary_sentences
from app.reports.wording import TEXT, percent
from app.text import UTF8_BOM, safe_cell

_FORMATS = {PERCENT: "0.0%", DECIMAL: "0.0000", INTEGER: "#,##0"}
# Excel allows 31 characters in a sheet's name: tables whose titles are longer get these.
_SHEET_NAMES = {"problems": ("Phiền hà, chi phí", "Harassment, payments")}
_WIDEST_COLUMN = 60


def _value(value: Any) -> Any:
    if isinstance(value, bool):
        return "x" if value else ""
    if isinstance(value, list):
        return ";".join(str(item) for item in value)
    return safe_cell(value)


def to_xlsx(report: MonthlyReport, language: str = "vi") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    index = 0 if language == "vi" else 1
    words = TEXT[language]
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = words["summary"]
    summary.append([words["title"].format(month=str(report.month))])
    summary["A1"].font = Font(bold=True, size=14)
    for sentence in summary_sentences(report, language):
        summary.append([safe_cell(sentence)])
    summary.append([])
    summary.append([words["comments"]])
    for comment in report.comments:
        summary.append([safe_cell(comment)])
    for table in tables(report, language):
        sheet = workbook.create_sheet(_SHEET_NAMES.get(table.key, table.title)[index])
        sheet.append([names[index] for _, names, _ in table.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_value(row.get(field)) for field, _, _ in table.columns])
        for position, (_, _, kind) in enumerate(table.columns, start=1):
            number_format = _FORMATS.get(kind)
            if number_format:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=position, max_col=position):
                    cell.number_format = number_format
        sheet.freeze_panes = "A2"
        _fit_columns(sheet)
    method = workbook.create_sheet(words["method"])
    for paragraph in methodology(report, language):
        method.append([safe_cell(paragraph)])
    for text_sheet in (summary, method):
        text_sheet.column_dimensions["A"].width = 120
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _fit_columns(sheet: Any) -> None:
    """Each column as wide as its longest cell (a percentage as its display), within reason."""
    for column in sheet.iter_cols():
        longest = max(
            len(f"{cell.value:.1%}")
            if isinstance(cell.value, float)
            else len(str(cell.value or ""))
            for cell in column
        )
        sheet.column_dimensions[column[0].column_letter].width = min(longest + 2, _WIDEST_COLUMN)


def to_csv(report: MonthlyReport, language: str = "vi") -> str:
    """The main tables in one CSV: a ``table`` column, then each table's own fields."""
    fields: list[str] = []
    for table in tables(report, language):
        fields += [field for field, _, _ in table.columns if field not in fields]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["table", *fields])
    for table in tables(report, language):
        for row in table.rows:
            writer.writerow([table.key, *(_csv_value(row.get(field)) for field in fields)])
    return buffer.getvalue()


def _csv_value(value: Any) -> Any:
    found = _value(value)
    return "" if found is None else found


_YES_NO = {"vi": ("có", "không"), "en": ("yes", "no")}
_DISPLAY = {"vi": "hiển thị", "en": "shown"}


def to_zip(report: MonthlyReport, language: str = "vi") -> bytes:
    """One CSV per table, for a spreadsheet: UTF-8 with a byte order mark (Excel reads
    Vietnamese then), headers in words, names beside codes, có/không for yes and no, and
    beside each exact share its rounded display ("91,2%")."""
    yes, no = _YES_NO[language]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, table in enumerate(tables(report, language), start=1):
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\r\n")
            header = []
            for _, names, kind in table.columns:
                header.append(names[0 if language == "vi" else 1])
                if kind == PERCENT:
                    header.append(f"{header[-1]} ({_DISPLAY[language]})")
            writer.writerow(header)
            for row in table.rows:
                cells = []
                for field, _, kind in table.columns:
                    value = row.get(field)
                    if isinstance(value, bool):
                        cells.append(yes if value else no)
                    else:
                        cells.append(_csv_value(value))
                    if kind == PERCENT:
                        cells.append(percent(value, language) if value is not None else "")
                writer.writerow(cells)
            name = f"{number:02d}-{table.key}.csv"
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))  # same bytes each time
            archive.writestr(
                info, (UTF8_BOM + out.getvalue()).encode("utf-8"), zipfile.ZIP_DEFLATED
            )
    return buffer.getvalue()
