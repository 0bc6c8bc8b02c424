"""The report's tables as rows: one definition for the XLSX sheets and the CSV."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.reports.content import MonthlyReport
from app.reports.wording import INDICATORS, PROBLEMS, STATUS

# How a column is shown in a spreadsheet: a share as a percentage, a count as an integer.
PERCENT, INTEGER, TEXT, DECIMAL = "percent", "integer", "text", "decimal"


@dataclass(frozen=True, slots=True)
class Table:
    """One table of the report: a sheet of the XLSX, a block of the CSV."""

    key: str
    title: tuple[str, str]
    columns: tuple[tuple[str, tuple[str, str], str], ...]  # (field, (vi, en), kind)
    rows: list[dict[str, Any]]


_ESTIMATE = (
    ("n", ("Số phiếu", "Responses"), INTEGER),
    ("rate", ("Tỷ lệ hài lòng", "Satisfied"), PERCENT),
    ("ci_low", ("Cận dưới KTC", "CI low"), PERCENT),
    ("ci_high", ("Cận trên KTC", "CI high"), PERCENT),
    ("se", ("Sai số chuẩn", "Standard error"), DECIMAL),
)
_TARGET = (
    ("target", ("Chỉ tiêu", "Target"), PERCENT),
    ("status_label", ("Đánh giá", "Status"), TEXT),
)


def tables(report: MonthlyReport, language: str) -> list[Table]:
    index = 0 if language == "vi" else 1
    status = STATUS[language]

    def labelled(
        rows: list[dict[str, Any]], name: Callable[[dict[str, Any]], str]
    ) -> list[dict[str, Any]]:
        return [{**row, "label": name(row), "status_label": status[row.get("status")]}
                for row in rows]  # fmt: skip

    sectors = {code: names[index] for code, names in report.sector_names.items()}
    elements = {key: names[index] for key, names in report.element_names.items()}
    questions = {key: names[index] for key, names in report.question_names.items()}
    trend_rows = [
        {**point, "sector": series["sector"], "label": sectors.get(series["sector"], "")}
        for series in report.trend
        for point in series["points"]
    ]
    return [
        Table("targets", ("Chỉ tiêu của Kế hoạch", "Plan targets"),
              (("indicator", ("Mã", "Code"), TEXT), ("label", ("Chỉ tiêu", "Indicator"), TEXT),
               *_ESTIMATE, *_TARGET),
              labelled(report.targets, lambda r: INDICATORS[r["indicator"]][index])),
        Table("sectors", ("Theo lĩnh vực", "By sector"),
              (("sector", ("Mã", "Code"), TEXT), ("label", ("Lĩnh vực", "Sector"), TEXT),
               *_ESTIMATE, *_TARGET,
               ("change", ("So với tháng trước", "Change on last month"), PERCENT)),
              labelled(report.sectors, lambda r: sectors.get(r["sector"], r["sector"]))),
        Table("units", ("Theo đơn vị", "By unit"),
              (("rank", ("Hạng", "Rank"), INTEGER), ("unit", ("Mã", "Code"), TEXT),
               ("label", ("Đơn vị", "Unit"), TEXT), *_ESTIMATE, *_TARGET,
               ("small_sample", ("Mẫu nhỏ", "Small sample"), TEXT),
               ("responses", ("Phiếu phân tích", "Responses analysed"), INTEGER),
               ("dossiers", ("Hồ sơ", "Dossiers"), INTEGER),
               ("response_rate", ("Tỷ lệ phản hồi", "Response rate"), PERCENT),
               ("coverage", ("Độ phủ", "Coverage"), PERCENT)),
              labelled(report.units, lambda r: report.unit_names.get(r["unit"], r["unit"]))),
        Table("elements", ("Năm yếu tố", "Elements"),
              (("element", ("Mã", "Code"), TEXT), ("label", ("Yếu tố", "Element"), TEXT),
               *_ESTIMATE),
              labelled(report.elements, lambda r: elements.get(r["element"], r["element"]))),
        Table("weakest", ("Tiêu chí thấp nhất", "Weakest criteria"),
              (("question", ("Mã", "Code"), TEXT), ("label", ("Tiêu chí", "Criterion"), TEXT),
               *_ESTIMATE),
              labelled(report.weakest, lambda r: questions.get(r["question"], r["question"]))),
        Table("trend", ("Xu hướng 12 tháng", "12-month trend"),
              (("sector", ("Mã", "Code"), TEXT), ("label", ("Lĩnh vực", "Sector"), TEXT),
               ("month", ("Tháng", "Month"), TEXT), *_ESTIMATE, *_TARGET),
              labelled(trend_rows, lambda r: r["label"])),
        Table("problems", ("Phiền hà, chi phí ngoài quy định", "Harassment and payments"),
              (("question", ("Mã", "Code"), TEXT), ("label", ("Nội dung", "Question"), TEXT),
               ("answered", ("Số người trả lời", "Answered"), INTEGER),
               ("reported", ("Số người gặp", "Reported"), INTEGER),
               ("share", ("Tỷ lệ", "Share"), PERCENT)),
              labelled(report.problems, lambda r: PROBLEMS[r["question"]][index])),
        Table("follow_up", ("Xử lý phản hồi không hài lòng", "Follow-up of cases"),
              (("unit", ("Mã", "Code"), TEXT), ("label", ("Đơn vị", "Unit"), TEXT),
               ("opened", ("Hồ sơ", "Cases"), INTEGER),
               ("acknowledged", ("Đã tiếp nhận", "Acknowledged"), INTEGER),
               ("resolved", ("Đã giải quyết", "Resolved"), INTEGER),
               ("median_hours_to_acknowledge", ("Giờ tiếp nhận (trung vị)",
                                                "Hours to acknowledge (median)"), DECIMAL),
               ("median_hours_to_resolve", ("Giờ giải quyết (trung vị)",
                                            "Hours to resolve (median)"), DECIMAL),
               ("resolved_on_time", ("Đúng hạn", "On time"), INTEGER),
               ("on_time_share", ("Tỷ lệ đúng hạn", "Share on time"), PERCENT),
               ("open_past_target", ("Còn mở, quá hạn", "Open past target"), INTEGER)),
              labelled(report.follow_up, lambda r: report.unit_names.get(r["unit"], r["unit"]))),
        Table("handling", ("Chỉ số 766 và SIPAS", "Decision 766 and SIPAS"),
              (("unit", ("Mã", "Code"), TEXT), ("label", ("Đơn vị", "Unit"), TEXT),
               ("dossiers", ("Hồ sơ", "Dossiers"), INTEGER),
               ("on_time", ("Đúng hạn", "On time"), INTEGER),
               ("complaints", ("Khiếu nại", "Complaints"), INTEGER),
               ("disliked", ("Không hài lòng", "Disliked"), INTEGER),
               ("rate", ("Chỉ số 766", "Decision 766"), PERCENT),
               ("survey_rate", ("Hài lòng (khảo sát)", "Satisfied (survey)"), PERCENT),
               ("gap", ("Chênh lệch", "Gap"), PERCENT)),
              labelled(report.handling, lambda r: report.unit_names.get(r["unit"], r["unit"]))),
    ]  # fmt: skip
