"""The report's summary says a change is noise when it is: no one should read an
interval's wobble as news."""

import pytest

from app.months import Month
from app.reports.content import MonthlyReport, change_is_significant, drivers_of
from app.reports.render_html import to_html
from app.reports.summary import summary_sentences


def report_with_change(now_se: float, before_se: float) -> MonthlyReport:
    rate, earlier = 0.95, 0.90
    now, before = {"rate": rate, "se": now_se}, {"rate": earlier, "se": before_se}
    sector = {"sector": "investment", "status": "met", **now, "change": rate - earlier,
              "ci_low": rate - 0.02, "ci_high": rate + 0.02, "target": 0.9, "n": 77,
              "change_significant": change_is_significant(now, before)}  # fmt: skip
    return MonthlyReport(
        month=Month(2026, 10), scope="city", query={}, responses=77, dossiers=900,
        flagged=dict.fromkeys(("excluded", "too_fast", "start_unknown", "repeat_device",
                               "straight_line"), 0),
        targets=[], sectors=[sector], units=[], elements=[],
        weakest=[], trend=[], problems=[], comments=[],
        sector_names={"investment": ("Đầu tư", "Investment")},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("now_se", "before_se", "noise"), [(0.04, 0.04, True), (0.005, 0.005, False)]
)
def test_the_largest_change_is_marked_when_it_is_not_significant(
    now_se: float, before_se: float, noise: bool
) -> None:
    vi = summary_sentences(report_with_change(now_se, before_se), "vi")[-1]
    en = summary_sentences(report_with_change(now_se, before_se), "en")[-1]
    assert vi.startswith("Thay đổi lớn nhất so với tháng trước: Đầu tư (+5,0 điểm %")
    assert ("chưa có ý nghĩa thống kê" in vi) is noise
    assert ("not statistically significant" in en) is noise


def driver(element: str, odds_ratio: float, se: float) -> dict[str, object]:
    sentence = f"{element}: odds ×{odds_ratio}"
    return {"element": element, "coefficient": 1.0, "se": se, "odds_ratio": odds_ratio,
            "odds_ratio_low": odds_ratio / 2, "odds_ratio_high": odds_ratio * 2,
            "p_value": 0.01, "rank": 1, "text": {"vi": sentence, "en": sentence}}  # fmt: skip


@pytest.mark.parametrize(
    ("model", "warning", "says"),
    [
        ({"n": 64, "separated": False, "drivers": [driver("staff", 3.0, 0.2)]}, "small",
         "chưa đủ để ước lượng"),
        ({"n": 900, "separated": True, "drivers": [driver("staff", 4e21, 0.0)]}, "separation",
         "gần như quyết định hoàn toàn"),
        ({"n": 900, "separated": False, "drivers": [driver("staff", 3.0, 0.2)]}, None,
         "staff: odds ×3.0"),
    ],
)  # fmt: skip
def test_the_drivers_say_nothing_when_the_model_cannot_carry_a_sentence(
    model: dict[str, object], warning: str | None, says: str
) -> None:
    report = report_with_change(0.01, 0.01)
    report.drivers = drivers_of(model)
    report.query = {"weighting": "poststratified", "level": 0.95, "ci": "logit"}
    assert report.drivers.warning == warning
    section = to_html(report, "vi").split('id="s-drivers"')[1].split("</section>")[0]
    assert says in section
    if warning:
        assert "odds ×" not in section  # no sentence, and no odds ratio of 4e21
