"""The report's words and number formats, in Vietnamese and English."""

from typing import Any

STATUS = {
    "vi": {"met": "Đạt", "not_met": "Không đạt", "inconclusive": "Chưa kết luận",
           None: "Không đủ dữ liệu"},
    "en": {"met": "Met", "not_met": "Not met", "inconclusive": "Inconclusive",
           None: "No data"},
}  # fmt: skip
INDICATORS = {
    "online_service": ("Dịch vụ công trực tuyến", "Online public services"),
    "procedure_handling": ("Giải quyết thủ tục hành chính", "Handling of procedures"),
    "land_construction_investment": ("Đất đai, xây dựng, đầu tư",
                                     "Land, construction, investment"),
    "public_services_health_education": ("Y tế, giáo dục công", "Public health and education"),
    "sipas": ("Chỉ số SIPAS", "SIPAS index"),
}  # fmt: skip
PROBLEMS = {
    "harassment": ("Gặp phiền hà, sách nhiễu", "Harassed by staff"),
    "informal_payment": ("Phải chi thêm ngoài quy định", "Paid beyond the official fees"),
}
TEXT = {
    "vi": {
        "title": "Báo cáo mức độ hài lòng tháng {month}",
        "city": "Thành phố Hải Phòng",
        "summary": "Tóm tắt",
        "targets": "Chỉ tiêu của Kế hoạch",
        "sectors": "Theo lĩnh vực",
        "units": "Theo đơn vị",
        "elements": "Năm yếu tố của SIPAS",
        "weakest": "Tiêu chí có mức hài lòng thấp nhất",
        "trend": "Xu hướng 12 tháng theo lĩnh vực",
        "coverage": "Phản hồi và tỷ lệ phản hồi theo đơn vị",
        "problems": "Phiền hà và chi phí ngoài quy định",
        "comments": "Một số góp ý của người chưa hài lòng",
        "method": "Phương pháp",
        "indicator": "Chỉ tiêu",
        "sector": "Lĩnh vực",
        "unit": "Đơn vị",
        "element": "Yếu tố",
        "criterion": "Tiêu chí",
        "n": "Số phiếu",
        "rate": "Tỷ lệ hài lòng",
        "ci": "Khoảng tin cậy",
        "target": "Chỉ tiêu",
        "status": "Đánh giá",
        "change": "So với tháng trước",
        "rank": "Hạng",
        "responses": "Phiếu",
        "dossiers": "Hồ sơ",
        "response_rate": "Tỷ lệ phản hồi",
        "coverage_col": "Độ phủ",
        "share": "Tỷ lệ",
        "answered": "Số người trả lời",
        "reported": "Số người gặp",
        "small": "mẫu nhỏ, không xếp hạng",
        "month": "Tháng",
        "none": "—",
        "no_comments": "Không có góp ý nào của người chưa hài lòng trong tháng.",
        "follow_up": "Xử lý phản hồi không hài lòng",
        "follow_up_lede": "Mỗi phản hồi khớp quy tắc cảnh báo mở một hồ sơ cho đơn vị. "
        "Chỉ tiêu: giải quyết trong {days} ngày làm việc (thứ Hai đến thứ Sáu).",
        "no_cases": "Không có hồ sơ nào được mở từ phản hồi của tháng.",
        "opened": "Hồ sơ",
        "acknowledged": "Đã tiếp nhận",
        "resolved": "Đã giải quyết",
        "hours_ack": "Thời gian tiếp nhận (giờ, trung vị)",
        "hours_resolve": "Thời gian giải quyết (giờ, trung vị)",
        "on_time": "Đúng hạn",
        "past_target": "Còn mở, quá hạn",
        "handling": "Chỉ số Quyết định 766 bên cạnh SIPAS",
        "streams": "Mẫu ngẫu nhiên và phiếu tự nguyện",
        "streams_lede": "Phiếu của mẫu ngẫu nhiên (người được chọn từ hồ sơ đã giải quyết và mời "
        "qua tin nhắn) và phiếu tự nguyện (quét mã QR tại quầy, đường dẫn) được ước lượng riêng, "
        "cùng trọng số theo số hồ sơ. Chênh lệch cho thấy việc tự chọn tham gia làm tỷ lệ cao "
        "hay thấp đi bao nhiêu.",
        "stream_sampled": "Mẫu ngẫu nhiên",
        "stream_counter": "Tự nguyện",
        "stream_gap": "Chênh lệch (tự nguyện − mẫu)",
        "stream_response": "Tỷ lệ phản hồi của mẫu",
        "handling_766": "Chỉ số 766",
        "handling_survey": "Hài lòng (khảo sát)",
        "handling_gap": "Chênh lệch (điểm)",
        "nation": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "motto": "Độc lập - Tự do - Hạnh phúc",
        "number": "Số:        /BC-SNV",
        "dated": "{place}, ngày {day:02d} tháng {month:02d} năm {year}",
        "signer": "NGƯỜI KÝ",
        "signer_hint": "(Chức vụ, chữ ký, họ và tên, đóng dấu)",
        "drivers": "Yếu tố gắn với mức hài lòng chung",
        "drivers_intro": "Mô hình hồi quy logistic có trọng số trên {n} phiếu, "
        "xếp theo mức độ gắn kết:",
        "drivers_small": "Tháng này có {n} phiếu trả lời đủ các yếu tố: chưa đủ để ước lượng "
        "riêng tác động của từng yếu tố, nên báo cáo không đưa ra nhận định.",
        "drivers_separation": "Trong dữ liệu tháng này, một yếu tố gần như quyết định hoàn toàn "
        "mức hài lòng chung (tỷ số odds không xác định được), nên mô hình không cho nhận định "
        "tin cậy và báo cáo không đưa ra nhận định.",
        "odds_ratio": "Tỷ số odds",
        "rebuilt": "Số liệu của đơn vị được tính từ dữ liệu hiện có: dữ liệu của kỳ báo cáo "
        "đã thay đổi sau khi phiên bản này được lập.",
    },
    "en": {
        "title": "Satisfaction report, {month}",
        "city": "Hai Phong City",
        "summary": "Summary",
        "targets": "The plan's targets",
        "sectors": "By sector",
        "units": "By unit",
        "elements": "The five SIPAS elements",
        "weakest": "The least satisfying criteria",
        "trend": "Twelve-month trend by sector",
        "coverage": "Responses and response rate by unit",
        "problems": "Harassment and informal payments",
        "comments": "Recent comments from dissatisfied citizens",
        "method": "Methodology",
        "indicator": "Indicator",
        "sector": "Sector",
        "unit": "Unit",
        "element": "Element",
        "criterion": "Criterion",
        "n": "Responses",
        "rate": "Satisfied",
        "ci": "Confidence interval",
        "target": "Target",
        "status": "Status",
        "change": "Change on last month",
        "rank": "Rank",
        "responses": "Responses",
        "dossiers": "Dossiers",
        "response_rate": "Response rate",
        "coverage_col": "Coverage",
        "share": "Share",
        "answered": "Answered",
        "reported": "Reported",
        "small": "small sample, not ranked",
        "month": "Month",
        "none": "—",
        "no_comments": "No comments from dissatisfied citizens this month.",
        "follow_up": "Follow-up of dissatisfied responses",
        "follow_up_lede": "Each response that matches an alert rule opens a case for its "
        "unit. Target: resolved within {days} working days (Monday to Friday).",
        "no_cases": "No case was opened by this month's responses.",
        "opened": "Cases",
        "acknowledged": "Acknowledged",
        "resolved": "Resolved",
        "hours_ack": "Time to acknowledge (hours, median)",
        "hours_resolve": "Time to resolve (hours, median)",
        "on_time": "On time",
        "past_target": "Open past target",
        "handling": "The Decision 766 figure beside SIPAS",
        "streams": "The random sample and the volunteered answers",
        "streams_lede": "Answers of the random sample (people drawn from finished dossiers and "
        "invited by message) and volunteered answers (a counter's QR code, links) are estimated "
        "apart, with the same weights. The gap shows how far self-selection moves the rate.",
        "stream_sampled": "Random sample",
        "stream_counter": "Volunteered",
        "stream_gap": "Gap (volunteered − sample)",
        "stream_response": "The sample's response rate",
        "handling_766": "Decision 766",
        "handling_survey": "Satisfied (survey)",
        "handling_gap": "Gap (points)",
        "nation": "SOCIALIST REPUBLIC OF VIET NAM",
        "motto": "Independence - Freedom - Happiness",
        "number": "No.        /BC-SNV",
        "dated": "{place}, {year}-{month:02d}-{day:02d}",
        "signer": "SIGNED BY",
        "signer_hint": "(Title, signature, full name, seal)",
        "drivers": "What goes with overall satisfaction",
        "drivers_intro": "A weighted logistic regression on {n} responses, strongest first:",
        "drivers_small": "This month {n} responses answered every element: too few to estimate "
        "each element's effect on its own, so the report makes no statement.",
        "drivers_separation": "In this month's data one element decides overall satisfaction "
        "almost entirely (its odds ratio cannot be estimated), so the model supports no "
        "statement and the report makes none.",
        "odds_ratio": "Odds ratio",
        "rebuilt": "The units' figures come from the data as it is now: the period's data "
        "changed after this version was made.",
    },
}


def percent(value: float | None, language: str, digits: int = 1) -> str:
    """``0.9123`` → ``91,2%`` in Vietnamese, ``91.2%`` in English; None → an em dash."""
    if value is None:
        return "—"
    text = f"{value * 100:.{digits}f}%"
    return text.replace(".", ",") if language == "vi" else text


def points(value: float | None, language: str) -> str:
    """A change in percentage points, signed: ``+1,2 điểm %``."""
    if value is None:
        return "—"
    text = f"{value * 100:+.1f}"
    return f"{text.replace('.', ',')} điểm %" if language == "vi" else f"{text} pts"


def hours(value: float | None, language: str) -> str:
    """``26.25`` → ``26,3`` in Vietnamese, ``26.3`` in English; None → an em dash."""
    if value is None:
        return "—"
    text = f"{value:.1f}"
    return text.replace(".", ",") if language == "vi" else text


def count(value: int | None, language: str) -> str:
    """``6525`` → ``6.525`` in Vietnamese, ``6,525`` in English."""
    if value is None:
        return "—"
    text = f"{value:,}"
    return text.replace(",", ".") if language == "vi" else text


def interval(row: dict[str, Any], language: str) -> str:
    if row.get("ci_low") is None:
        return "—"
    return f"{percent(row['ci_low'], language)} – {percent(row['ci_high'], language)}"


def month_label(year: int, month: int, language: str) -> str:
    """``10/2026`` in Vietnamese, ``2026-10`` in English."""
    return f"{month:02d}/{year}" if language == "vi" else f"{year}-{month:02d}"
