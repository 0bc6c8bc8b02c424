"""The month's summary in a few sentences."""

from app.reports.content import MonthlyReport
from app.reports.wording import INDICATORS, STATUS, count, percent, points


def summary_sentences(report: MonthlyReport, language: str) -> list[str]:
    vi = language == "vi"
    index = 0 if vi else 1
    month = f"{report.month.month:02d}/{report.month.year}"
    handling = next((r for r in report.targets if r["indicator"] == "procedure_handling"), None)
    sentences = []
    if vi:
        sentences.append(
            f"Tháng {month} có {count(report.responses, language)} phiếu khảo sát được đưa vào "
            f"phân tích ({count(report.flagged['excluded'], language)} phiếu bị loại do "
            f"đánh dấu chất lượng)."
        )
    else:
        sentences.append(
            f"In {month}, {count(report.responses, language)} responses were analysed "
            f"({count(report.flagged['excluded'], language)} left out for quality flags)."
        )
    if handling and handling["rate"] is not None:
        status = STATUS[language][handling["status"]].lower()
        rate, target = percent(handling["rate"], language), percent(handling["target"], language)
        sentences.append(
            f"Tỷ lệ hài lòng chung về giải quyết thủ tục hành chính là {rate} "
            f"(chỉ tiêu {target}): {status}."
            if vi
            else f"Overall satisfaction with the handling of procedures was {rate} "
            f"(target {target}): {status}."
        )
    names = {code: pair[index] for code, pair in report.sector_names.items()}
    below = [names.get(r["sector"], r["sector"]) for r in report.sectors
             if r["status"] == "not_met"]  # fmt: skip
    if below:
        sentences.append(
            ("Lĩnh vực chưa đạt chỉ tiêu: " if vi else "Sectors below target: ")
            + ", ".join(below)
            + "."
        )
    missed = [INDICATORS[r["indicator"]][index] for r in report.targets
              if r["status"] == "not_met"]  # fmt: skip
    if missed:
        sentences.append(
            ("Chỉ tiêu của Kế hoạch chưa đạt: " if vi else "Plan targets not met: ")
            + ", ".join(missed)
            + "."
        )
    moves = [r for r in report.sectors if r.get("change") is not None]
    if moves:
        biggest = max(moves, key=lambda r: abs(r["change"]))
        name = names.get(biggest["sector"], biggest["sector"])
        change = points(biggest["change"], language)
        if biggest.get("change_significant") is False:  # said, so no one reads noise as news
            change += "; chưa có ý nghĩa thống kê" if vi else "; not statistically significant"
        sentences.append(
            f"Thay đổi lớn nhất so với tháng trước: {name} ({change})."
            if vi
            else f"Largest change on last month: {name} ({change})."
        )
    return sentences


_WEIGHTING = {
    "vi": {"poststratified": "hậu phân tầng theo số hồ sơ của từng đơn vị, lĩnh vực, tháng",
           "none": "không dùng trọng số", "raked": "hiệu chỉnh theo biên đơn vị và lĩnh vực"},
    "en": {"poststratified": "post-stratified to the dossiers of each unit, sector and month",
           "none": "unweighted", "raked": "raked to unit and sector margins"},
}  # fmt: skip


_INTERVAL_VI = {
    "logit": "biến đổi logit",
    "beta": "phân phối beta (Korn–Graubard)",
    "wald": "Wald",
}


def methodology(report: MonthlyReport, language: str) -> list[str]:
    """The methodology box: weights, intervals, definitions, what was left out and why."""
    query, flags = report.query, report.flagged
    # The method's code name stays in English only: the Vietnamese text says it in words.
    described = _WEIGHTING[language][query["weighting"]]
    weighting = described if language == "vi" else f"{query['weighting']} ({described})"
    level = percent(query["level"], language, 0)
    n = {name: count(value, language) for name, value in flags.items()}
    if language == "vi":
        return [
            "Tỷ lệ hài lòng là tỷ lệ người trả lời “Hài lòng” hoặc “Rất hài lòng” (mức 4–5) "
            "trong số người trả lời câu hỏi; “Không có ý kiến” không tính vào mẫu số.",
            f"Trọng số: {weighting}. Khoảng tin cậy {level} theo phương pháp "
            f"{_INTERVAL_VI[query['ci']]}, "
            "phương sai tuyến tính hóa Taylor, các ô (đơn vị × lĩnh vực × tháng) là tầng.",
            "“Đạt” khi cận dưới của khoảng tin cậy không thấp hơn chỉ tiêu; “Không đạt” khi "
            "cận trên thấp hơn chỉ tiêu; còn lại “Chưa kết luận”. Đơn vị có mẫu nhỏ được hiển "
            "thị nhưng không xếp hạng. Chỉ số SIPAS là trung bình của năm yếu tố, mỗi yếu tố là "
            "trung bình các tiêu chí.",
            f"Phiếu bị loại khỏi phân tích (vẫn được lưu và xuất): {n['excluded']} — trả lời "
            f"quá nhanh {n['too_fast']}, trả lời lặp lại từ một thiết bị trong 10 phút "
            f"{n['repeat_device']}, chọn cùng một mức cho mọi câu {n['straight_line']}. "
            f"Phiếu không rõ thời điểm bắt đầu (vẫn được phân tích): {n['start_unknown']}.",
            "Tỷ lệ phiền hà và chi phí ngoài quy định là tỷ lệ không trọng số trong số người "
            "trả lời câu hỏi. Góp ý đã được che số điện thoại, số định danh và địa chỉ e-mail.",
        ]
    return [
        "The satisfaction rate is the share answering “Satisfied” or “Very satisfied” (4–5) "
        "among those who answered; “No opinion” is left out of the denominator.",
        f"Weighting: {weighting}. {level} intervals by the {query['ci']} method, "
        "Taylor-linearised variance with cells (unit × sector × month) as strata.",
        "“Met” when the interval's lower bound reaches the target; “Not met” when its upper "
        "bound is below it; otherwise “Inconclusive”. Units with small samples are shown but "
        "not ranked. The SIPAS index is the mean of the five elements, each the mean of its "
        "criteria.",
        f"Responses left out of the analysis (kept and exported): {n['excluded']} — too fast "
        f"{n['too_fast']}, repeated from one device within 10 minutes {n['repeat_device']}, "
        f"the same answer to every question {n['straight_line']}. "
        f"Responses whose start is unknown (kept in the analysis): {n['start_unknown']}.",
        "Harassment and informal-payment shares are unweighted, among those who answered. "
        "Comments are masked for phone numbers, ID numbers and e-mail addresses.",
    ]
