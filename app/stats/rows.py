"""The analytics answers as types: one estimate row and its subsets, the bodies around them.

The routes declare these as their ``response_model`` (OpenAPI documents every field, and
the API's fuzzing checks answers against it), the CSV columns are their fields in order,
and docs/contracts.md §4 lists the same (a test compares). The services build plain dicts
for speed; the routes hand them on without a second validation.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["met", "not_met", "inconclusive"]


class Estimate(BaseModel):
    """One domain's estimate (docs/method.md)."""

    n: int = Field(description="answering responses used (m_D); for an index, every response")
    not_answered: int = Field(description="responses of the domain outside the base")
    rate: float | None = Field(description="weighted share satisfied, in [0, 1]")
    se: float | None
    df: int
    ci_low: float | None
    ci_high: float | None
    deff: float | None
    n_eff: float | None
    kish_n_eff: float | None
    target: float | None
    status: Status | None = Field(
        description="met: ci_low ≥ target; not_met: ci_high < target; else inconclusive"
    )
    p_value: float | None = Field(description="one-sided, H0: rate ≥ target")
    small_sample: bool
    coverage: float = Field(description="share of the domain's dossiers in cells with responses")
    lonely_cells: int
    raking_gap: float | None = Field(description="raked: the largest relative margin gap left")


class SatisfactionRow(Estimate):
    """A row of ``/analytics/satisfaction``: the ``by`` keys asked for, then the estimate."""

    model_config = ConfigDict(json_schema_extra={"description": "Only the by keys asked for."})

    sector: str | None = None
    unit: str | None = None
    channel: str | None = None
    month: str | None = None
    question: str | None = None


class QueryEcho(BaseModel):
    """The query as it was understood, with the weighting it resolved to."""

    model_config = ConfigDict(populate_by_name=True)

    date_from: str = Field(alias="from")
    date_to: str = Field(alias="to")
    by: list[str] | str | None
    indicator: str
    weighting: Literal["none", "poststratified", "raked"]
    ci: Literal["logit", "beta", "wald"]
    level: float


class UnweightedCell(BaseModel):
    unit: str | None
    sector: str
    month: str
    responses: int


class SatisfactionAnswer(BaseModel):
    query: QueryEcho
    rows: list[SatisfactionRow]
    unweighted_cells: list[UnweightedCell]
    warnings: list[str]


class TargetRow(BaseModel):
    """A plan indicator read against its target."""

    indicator: str
    measured_by: str
    sectors: list[str] | Literal["all"]
    channels: list[str] | Literal["all"]
    n: int
    rate: float | None
    se: float | None
    df: int
    ci_low: float | None
    ci_high: float | None
    target: float | None
    status: Status | None
    p_value: float | None
    small_sample: bool
    coverage: float


class TargetsAnswer(BaseModel):
    query: QueryEcho
    rows: list[TargetRow]


class TrendPoint(BaseModel):
    month: str
    n: int
    rate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    target: float | None
    status: Status | None
    small_sample: bool


class TrendTest(BaseModel):
    months: int
    slope_per_month: float | None
    se: float | None
    p_value: float | None
    direction: Literal["up", "down", "flat"] | None


class TrendSeries(BaseModel):
    sector: str | None = None
    unit: str | None = None
    points: list[TrendPoint]
    trend: TrendTest


class TrendAnswer(BaseModel):
    query: QueryEcho
    series: list[TrendSeries]


class DriverText(BaseModel):
    vi: str
    en: str


class DriverRow(BaseModel):
    element: str
    coefficient: float
    se: float
    odds_ratio: float
    odds_ratio_low: float
    odds_ratio_high: float
    p_value: float | None
    rank: int
    text: DriverText


class DriversAnswer(BaseModel):
    query: QueryEcho
    n: int
    df: int | None = None
    separated: bool
    drivers: list[DriverRow]


ROW_FIELDS = tuple(Estimate.model_fields)
TARGET_COLUMNS = ("indicator", "measured_by", "sectors", "channels")
TARGET_FIELDS = tuple(name for name in TargetRow.model_fields if name not in TARGET_COLUMNS)
POINT_FIELDS = tuple(TrendPoint.model_fields)
TREND_FIELDS = (*POINT_FIELDS, *(f"trend_{name}" for name in TrendTest.model_fields))
DRIVER_FIELDS = (
    "rank", "element", "coefficient", "se", "odds_ratio", "odds_ratio_low", "odds_ratio_high",
    "p_value", "text_vi", "text_en",
)  # fmt: skip
