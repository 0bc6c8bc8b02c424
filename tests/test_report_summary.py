"""The report's summary says a change is noise when it is: no one should read an
interval's wobble as news."""

import pytest

from app.months import Month
from app.reports.content import MonthlyReport, change_is_significant
from app.reports.summary import summary_sentences


def report_with_change(now_se: float, before_se: float) -> MonthlyReport:
    rate, earlier = 0.95, 0.90
    now, before = {"rate": rate, "se": now_se}, {"rate": earlier, "se": before_se}
    sector = {"sector": "investment", "status": "met", **now, "change": rate - earlier,
              "change_significant": change_is_significant(now, before)}  # fmt: skip
    return MonthlyReport(
        month=Month(2026, 10), scope="city", query={}, responses=77, dossiers=900,
        flagged={"excluded": 0}, targets=[], sectors=[sector], units=[], elements=[],
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
