"""What the dashboard shows for a period and a focus: the city, a sector, a unit.

Every figure comes from the analytics services the API serves (``satisfaction``,
``plan_targets``, ``trend``), with their defaults, so a figure on the dashboard is the
figure an analyst pulls for the same period.
"""

from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.dashboard.periods import Period
from app.models import Response, Sector, TextAnswer, Unit
from app.principals import Principal
from app.privacy import mask_personal_data
from app.stats.indicators import scored_questions
from app.stats.query import SatisfactionQuery
from app.stats.service import satisfaction
from app.stats.targets import plan_targets
from app.stats.trend import trend
from app.surveys.forms import FormCatalog, decode_codes
from app.text import displayable

TREND_MONTHS = 12
COMMENTS_SHOWN = 50


@dataclass(frozen=True)
class Focus:
    """What the URL narrows the view to, checked against the catalogue and the key."""

    sector: Sector | None = None
    unit: Unit | None = None

    @property
    def units(self) -> frozenset[int] | None:
        return None if self.unit is None or self.unit.id is None else frozenset({self.unit.id})

    @property
    def sectors(self) -> frozenset[str] | None:
        return None if self.sector is None else frozenset({self.sector.code})


@dataclass
class Comment:
    text: str
    overall: int | None
    day: str


@dataclass
class DashboardView:
    period: Period
    focus: Focus
    responses: int
    sectors: list[dict[str, Any]]
    targets: list[dict[str, Any]] = field(default_factory=list)
    units: list[dict[str, Any]] = field(default_factory=list)
    criteria: list[dict[str, Any]] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    trend: list[dict[str, Any]] = field(default_factory=list)


def read_focus(
    session: Session, sector: str | None, unit: str | None, principal: Principal
) -> tuple[Focus, list[str]]:
    """The sector and unit a URL names; what it names that does not exist (or that the key
    may not read) is said, in Vietnamese, and left out."""
    problems: list[str] = []
    found_sector = session.get(Sector, sector) if sector else None
    if sector and found_sector is None:
        problems.append(f"Không có lĩnh vực “{sector}”; đang hiển thị mọi lĩnh vực.")
    found_unit = session.exec(select(Unit).where(Unit.code == unit)).first() if unit else None
    if unit and (
        found_unit is None or found_unit.id is None or not principal.can_read_unit(found_unit.id)
    ):
        problems.append(
            f"Không có đơn vị “{unit}” trong phạm vi được xem; đang hiển thị mọi đơn vị."
        )
        found_unit = None
    return Focus(found_sector, found_unit), problems


def build_view(
    session: Session,
    catalog: FormCatalog,
    period: Period,
    focus: Focus,
    principal: Principal,
    small_sample: int,
) -> DashboardView:
    base = SatisfactionQuery(date_from=period.first, date_to=period.last, small_sample=small_sample)
    by_sector = replace(base, by=("sector",), sectors=focus.sectors)
    view = DashboardView(
        period=period,
        focus=focus,
        responses=_responses(session, period, focus, principal),
        sectors=satisfaction(session, catalog, by_sector, principal, focus.units).rows,
    )
    if focus.sector is None and focus.unit is None:
        view.targets = plan_targets(session, catalog, base, principal)
    if focus.sector is not None and focus.unit is None:
        by_unit = replace(base, by=("unit", "sector"), sectors=focus.sectors)
        view.units = [
            row for row in satisfaction(session, catalog, by_unit, principal).rows if row["n"] > 0
        ]
    if focus.unit is not None:
        # With a sector, its rows carry it, and with it the sector's own target.
        keys = ("sector", "question") if focus.sector is not None else ("question",)
        by_question = replace(base, by=keys, sectors=focus.sectors)
        questions = scored_questions(catalog)
        view.criteria = [
            {**row, "label": questions[row["question"]].label.vi}
            for row in satisfaction(session, catalog, by_question, principal, focus.units).rows
            if row["n"] > 0
        ]
        view.comments = _comments(session, catalog, period, focus, principal)
    first = period.last_month.back(TREND_MONTHS - 1)
    months = replace(base, date_from=first.first_day, sectors=focus.sectors)
    series = "sector" if focus.sector is not None else None
    found = trend(session, catalog, months, series, principal, focus.units)
    points = {p["month"]: p for p in (found[0]["points"] if found else [])}
    # Every month on the axis, those without responses as gaps.
    view.trend = [
        points.get(str(month), {"month": str(month), "rate": None, "n": 0})
        for month in (period.last_month.back(back) for back in range(TREND_MONTHS - 1, -1, -1))
    ]
    return view


def _scoped(statement: Any, period: Period, focus: Focus, principal: Principal) -> Any:
    statement = statement.where(
        col(Response.local_date).between(period.first, period.last),
        col(Response.excluded).is_(False),
    )
    if focus.sector is not None:
        statement = statement.where(Response.sector_code == focus.sector.code)
    if focus.unit is not None:
        statement = statement.where(Response.unit_id == focus.unit.id)
    if principal.role == "unit":
        statement = statement.where(col(Response.unit_id).in_(principal.unit_ids))
    return statement


def _responses(session: Session, period: Period, focus: Focus, principal: Principal) -> int:
    statement = _scoped(select(func.count()).select_from(Response), period, focus, principal)
    return int(session.exec(statement).one())


def _comments(
    session: Session, catalog: FormCatalog, period: Period, focus: Focus, principal: Principal
) -> list[Comment]:
    """The period's latest comments in the focus, masked, each with its overall score."""
    # Five columns: more than sqlmodel's typed select takes.
    statement = _scoped(
        sqlalchemy.select(
            col(Response.form_id), col(Response.form_version), col(Response.answer_codes),
            col(Response.local_date), col(TextAnswer.text),
        ).join(TextAnswer, col(TextAnswer.response_id) == col(Response.id)),
        period, focus, principal,
    ).order_by(col(Response.submitted_at).desc()).limit(COMMENTS_SHOWN)  # fmt: skip
    comments = []
    for form_id, version, codes, day, text in session.execute(statement):
        shown = displayable(text).strip()
        if not shown:
            continue
        form = catalog.get(form_id, version)
        overall = decode_codes(form, codes).get("overall") if form else None
        comments.append(Comment(mask_personal_data(shown), overall, f"{day:%d/%m/%Y}"))
    return comments
