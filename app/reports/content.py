"""What the monthly report says, gathered from the analytics services.

Every figure comes from the same services as the analytics API (``satisfaction``,
``plan_targets``, ``trend``), for the same month and the same defaults, so the report and
the API agree to the last digit. Only the report's own counts (responses, dossiers,
flags, the harassment and informal-payment answers, recent comments) are read here.
"""

import math
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

import analytics
from app import clock
from app.cases.timing import CaseTimes, follow_up_by_unit
from app.dossiers.handling import beside_survey, handling_by_unit
from app.dossiers.streams import streams
from app.models import FeedbackCase, Response, Sector, TextAnswer, Unit, Volume
from app.months import Month
from app.principals import Principal
from app.privacy import mask_personal_data
from app.stats.drivers import drivers
from app.stats.indicators import SIPAS, elements, scored_questions
from app.stats.query import SatisfactionQuery
from app.stats.service import resolved_weighting, satisfaction
from app.stats.targets import plan_targets
from app.stats.trend import trend
from app.surveys.forms import (
    CODE_ALPHABET,
    NO_PROBLEM,
    REPORTED_PROBLEMS,
    FormCatalog,
    decode_codes,
)
from app.text import displayable

TREND_MONTHS = 12
WEAKEST_CRITERIA = 5
RECENT_COMMENTS = 5
DISSATISFIED_AT_MOST = 2  # overall 1 or 2: dissatisfied or very dissatisfied


@dataclass(frozen=True)
class ReportOptions:
    """What a city sets about its reports: the small-sample threshold and who issues them
    (the official header: the issuing body under its parent, and the place)."""

    small_sample: int = analytics.SMALL_SAMPLE
    issuer: str = "SỞ NỘI VỤ"
    issuer_parent: str = "ỦY BAN NHÂN DÂN THÀNH PHỐ HẢI PHÒNG"
    place: str = "Hải Phòng"
    # Cases: the city's target for resolving one, in working days, in the city's time zone.
    case_target_working_days: int = 2
    timezone: str = "Asia/Ho_Chi_Minh"


@dataclass
class Drivers:
    """The drivers model of the month, or why the report gives no sentence from it."""

    n: int
    rows: list[dict[str, Any]]
    # "separation": an element predicts overall satisfaction (almost) perfectly, so its
    # odds ratio is unbounded; "small": too few responses for five coefficients.
    warning: str | None


@dataclass
class MonthlyReport:
    """The report's content; the renderers only lay it out."""

    month: Month
    scope: str  # "city" or the unit codes of a unit key
    query: dict[str, Any]
    responses: int
    dossiers: int
    flagged: dict[str, int]
    targets: list[dict[str, Any]]
    sectors: list[dict[str, Any]]
    units: list[dict[str, Any]]
    elements: list[dict[str, Any]]
    weakest: list[dict[str, Any]]
    trend: list[dict[str, Any]]
    problems: list[dict[str, Any]]
    comments: list[str]
    drivers: Drivers = field(default_factory=lambda: Drivers(0, [], "small"))
    sector_names: dict[str, tuple[str, str]] = field(default_factory=dict)
    unit_names: dict[str, str] = field(default_factory=dict)
    element_names: dict[str, tuple[str, str]] = field(default_factory=dict)
    question_names: dict[str, tuple[str, str]] = field(default_factory=dict)
    issued_on: str = ""  # the day it was made, in the city's calendar (YYYY-MM-DD)
    options: ReportOptions = field(default_factory=ReportOptions)
    # What the months it read held: responses (only ever added) and dossiers, per month.
    # While these stand, the same data gives the same figures, for the city or for a unit
    # key's units.
    data: dict[str, list[int]] = field(default_factory=dict)
    # Made for a unit key from data that changed after the version it stands for.
    rebuilt_from_later_data: bool = False
    # How units followed up the cases the month's responses opened (app.cases.timing).
    follow_up: list[dict[str, Any]] = field(default_factory=list)
    # Where the month's dossiers were imported: each unit's Decision 766 figure beside its
    # survey rate (app.dossiers.handling).
    handling: list[dict[str, Any]] = field(default_factory=list)
    # Where the month's random sample invited anyone: its estimate beside the counter
    # stream's, the gap, the response rate (app.dossiers.streams).
    streams: dict[str, Any] | None = None


def build_report(
    session: Session,
    catalog: FormCatalog,
    month: Month,
    principal: Principal | None = None,
    options: ReportOptions = ReportOptions(),
    issued_on: str = "",
) -> MonthlyReport:
    def _query(month: Month, first: Month | None = None) -> SatisfactionQuery:
        """The analytics API's defaults: post-stratified when volumes exist, logit, 95 %."""
        return SatisfactionQuery(
            date_from=(first or month).first_day,
            date_to=month.last_day,
            small_sample=options.small_sample,
        )

    base = _query(month)
    unit_ids = principal.unit_ids if principal is not None and principal.role == "unit" else None
    sectors = satisfaction(session, catalog, replace(base, by=("sector",)), principal).rows
    previous = satisfaction(
        session, catalog, replace(_query(month.previous()), by=("sector",)), principal
    ).rows
    before = {row["sector"]: row for row in previous}
    for row in sectors:
        earlier = before.get(row["sector"], {})
        row["previous_rate"] = earlier.get("rate")
        row["change"] = (
            None
            if row["previous_rate"] is None or row["rate"] is None
            else row["rate"] - row["previous_rate"]
        )
        row["change_significant"] = change_is_significant(row, earlier)
    units = _ranked(satisfaction(session, catalog, replace(base, by=("unit",)), principal).rows)
    _add_response_rates(session, month, units)
    element_rows = []
    for element_id in elements(catalog, SIPAS):
        found = satisfaction(session, catalog, replace(base, indicator=element_id), principal)
        element_rows.append({"element": element_id, **found.rows[0]})
    criteria = satisfaction(
        session, catalog, replace(base, by=("question",), indicator=SIPAS), principal
    ).rows
    answered = [row for row in criteria if row["rate"] is not None]
    weakest = sorted(answered, key=lambda row: row["rate"])[:WEAKEST_CRITERIA]
    series = trend(session, catalog, _query(month, month.back(TREND_MONTHS - 1)), "sector",
                   principal)  # fmt: skip
    return MonthlyReport(
        month=month,
        scope="city" if unit_ids is None else "units",
        query=base.echo(resolved_weighting(session, base, principal)),
        responses=_count(session, month, unit_ids, excluded=False),
        dossiers=_dossiers(session, month, unit_ids),
        flagged=_flags(session, month, unit_ids),
        targets=plan_targets(session, catalog, base, principal),
        sectors=sectors,
        units=units,
        elements=element_rows,
        weakest=weakest,
        trend=series,
        problems=_problem_shares(session, catalog, month, unit_ids),
        comments=_recent_comments(session, catalog, month, unit_ids),
        drivers=drivers_of(drivers(session, catalog, base, principal)),
        sector_names={s.code: (s.name_vi, s.name_en) for s in session.exec(select(Sector))},
        unit_names=dict(session.exec(select(Unit.code, Unit.name)).all()),
        element_names={
            e.id: (e.label.vi, e.label.en)
            for loaded in catalog.loaded()
            for e in loaded.definition.aggregation.elements
        },
        question_names={q.id: (q.label.vi, q.label.en) for q in scored_questions(catalog).values()},
        issued_on=issued_on,
        options=options,
        data=data_fingerprint(session, month),
        follow_up=_follow_up(session, month, unit_ids, options),
        handling=beside_survey(handling_by_unit(session, month, unit_ids), units),
        streams=_streams(session, catalog, month, principal),
    )


def report_months(month: Month) -> list[str]:
    """The months a report reads: its own and the eleven before it (the trend)."""
    return [str(month.back(back)) for back in range(TREND_MONTHS - 1, -1, -1)]


def data_fingerprint(session: Session, month: Month) -> dict[str, list[int]]:
    """Per month the report reads: its responses (every one, flagged or not) and dossiers."""
    months = report_months(month)
    responses = dict(
        session.exec(
            select(Response.month, func.count())
            .where(col(Response.month).in_(months))
            .group_by(col(Response.month))
        ).all()
    )
    dossiers = dict(
        session.exec(
            select(Volume.month, func.sum(Volume.dossiers))
            .where(col(Volume.month).in_(months))
            .group_by(col(Volume.month))
        ).all()
    )
    return {m: [int(responses.get(m, 0)), int(dossiers.get(m) or 0)] for m in months}


# Fewer responses than this leave five coefficients without a reliable estimate; an odds
# ratio beyond the bound (or a zero standard error) means an element separates the data.
DRIVERS_MIN_N = 100
DRIVERS_MAX_ODDS = 1000.0


def drivers_of(model: dict[str, Any]) -> Drivers:
    """The report's reading of the drivers model: its rows, or why they carry no sentence."""
    rows = model["drivers"]
    if model["n"] < DRIVERS_MIN_N or not rows:
        return Drivers(model["n"], rows, "small")
    if model["separated"] or any(
        not row["se"]
        or row["odds_ratio"] > DRIVERS_MAX_ODDS
        or row["odds_ratio"] < 1 / DRIVERS_MAX_ODDS
        for row in rows
    ):
        return Drivers(model["n"], rows, "separation")
    return Drivers(model["n"], rows, None)


# Two months are independent samples: a change is told as real when it is at least
# 1.96 standard errors of the difference away from nothing (5 %, two-sided).
_SIGNIFICANT_Z = 1.96


def change_is_significant(now: dict[str, Any], before: dict[str, Any]) -> bool | None:
    """Whether the change of a rate from ``before`` to ``now`` is more than chance; None
    when either month has no rate or no standard error.

    >>> change_is_significant({"rate": 0.92, "se": 0.01}, {"rate": 0.88, "se": 0.01})
    True
    >>> change_is_significant({"rate": 0.92, "se": 0.03}, {"rate": 0.88, "se": 0.02})
    False
    """
    if None in (now.get("rate"), now.get("se"), before.get("rate"), before.get("se")):
        return None
    spread = math.hypot(now["se"], before["se"])
    if spread == 0:
        return None
    return bool(abs(now["rate"] - before["rate"]) / spread >= _SIGNIFICANT_Z)


def _ranked(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Units by rate, best first; a small sample is shown but not ranked."""
    ranked = sorted(
        (row for row in rows if row["rate"] is not None and not row["small_sample"]),
        key=lambda row: -row["rate"],
    )
    for position, row in enumerate(ranked, start=1):
        row["rank"] = position
    unranked = [row for row in rows if row not in ranked]
    for row in unranked:
        row["rank"] = None
    return ranked + sorted(unranked, key=lambda row: row["unit"] or "")


def _in_units(query: Any, unit_ids: frozenset[int] | None, column: Any) -> Any:
    return query if unit_ids is None else query.where(col(column).in_(unit_ids))


def _count(session: Session, month: Month, unit_ids: frozenset[int] | None, excluded: bool) -> int:
    query = select(func.count()).where(
        Response.month == str(month), col(Response.excluded).is_(excluded)
    )
    return int(session.exec(_in_units(query, unit_ids, Response.unit_id)).one())


def _dossiers(session: Session, month: Month, unit_ids: frozenset[int] | None) -> int:
    query = select(func.coalesce(func.sum(Volume.dossiers), 0)).where(Volume.month == str(month))
    return int(session.exec(_in_units(query, unit_ids, Volume.unit_id)).one())


def _flags(session: Session, month: Month, unit_ids: frozenset[int] | None) -> dict[str, int]:
    flags = {
        "excluded": col(Response.excluded).is_(True),
        "too_fast": col(Response.flag_too_fast).is_(True),
        "start_unknown": col(Response.flag_too_fast).is_(None),
        "repeat_device": col(Response.flag_repeat_device).is_(True),
        "straight_line": col(Response.flag_straight_line).is_(True),
    }
    found = {}
    for name, condition in flags.items():
        query = select(func.count()).where(Response.month == str(month), condition)
        found[name] = int(session.exec(_in_units(query, unit_ids, Response.unit_id)).one())
    return found


def _add_response_rates(session: Session, month: Month, units: list[dict[str, Any]]) -> None:
    """Responses ÷ dossiers per unit, with the in-analysis responses of the month."""
    codes = dict(session.exec(select(Unit.id, Unit.code)).all())
    dossiers_query = (
        select(Volume.unit_id, func.sum(Volume.dossiers))
        .where(Volume.month == str(month))
        .group_by(col(Volume.unit_id))
    )
    dossiers = {codes[u]: int(n) for u, n in session.exec(dossiers_query).all()}
    responses_query = (
        select(Response.unit_id, func.count())
        .where(Response.month == str(month), col(Response.excluded).is_(False))
        .group_by(col(Response.unit_id))
    )
    responses = {codes[u]: int(n) for u, n in session.exec(responses_query).all()}
    for row in units:
        row["responses"] = responses.get(row["unit"], 0)
        row["dossiers"] = dossiers.get(row["unit"])
        row["response_rate"] = row["responses"] / row["dossiers"] if row["dossiers"] else None


def _problem_shares(
    session: Session, catalog: FormCatalog, month: Month, unit_ids: frozenset[int] | None
) -> list[dict[str, Any]]:
    """Of those who answered, the share who reported harassment or an informal payment
    (unweighted counts of the forms that ask)."""
    found = []
    for question in REPORTED_PROBLEMS:
        answered = reported = 0
        for loaded in catalog.loaded():
            form = loaded.definition
            if question not in form.slot_index:
                continue
            position = form.slot_index[question] + 1
            code = func.substr(Response.answer_codes, position, 1)
            query = (
                select(code, func.count())
                .where(
                    Response.month == str(month),
                    col(Response.excluded).is_(False),
                    Response.form_id == form.id,
                    Response.form_version == form.version,
                )
                .group_by(code)
            )
            for char, count in session.exec(_in_units(query, unit_ids, Response.unit_id)).all():
                if char in ("", "."):
                    continue
                answered += count
                reported += count if CODE_ALPHABET.index(char) > NO_PROBLEM else 0
        found.append(
            {
                "question": question,
                "answered": answered,
                "reported": reported,
                "share": reported / answered if answered else None,
            }
        )
    return found


def _streams(
    session: Session, catalog: FormCatalog, month: Month, principal: Principal | None
) -> dict[str, Any] | None:
    found = streams(session, catalog, month, principal)
    return found if found["invited"] else None


def _follow_up(
    session: Session, month: Month, unit_ids: frozenset[int] | None, options: ReportOptions
) -> list[dict[str, Any]]:
    """Per unit, how the cases opened by the month's responses were followed up."""
    query = (
        select(Unit.code, FeedbackCase.opened_at, FeedbackCase.acknowledged_at,
               FeedbackCase.resolved_at)
        .join(Response, col(Response.id) == col(FeedbackCase.response_id))
        .join(Unit, col(Unit.id) == col(FeedbackCase.unit_id))
        .where(Response.month == str(month))
    )  # fmt: skip
    cases = [CaseTimes(*row) for row in session.exec(_in_units(query, unit_ids, Unit.id))]
    zone = ZoneInfo(options.timezone)
    return follow_up_by_unit(cases, options.case_target_working_days, zone, clock.now())


def _recent_comments(
    session: Session, catalog: FormCatalog, month: Month, unit_ids: frozenset[int] | None
) -> list[str]:
    """The latest comments of dissatisfied citizens (overall 1 or 2), masked."""
    query = (
        select(Response.form_id, Response.form_version, Response.answer_codes, TextAnswer.text)
        .join(TextAnswer, col(TextAnswer.response_id) == col(Response.id))
        .where(Response.month == str(month), col(Response.excluded).is_(False))
        .order_by(col(Response.submitted_at).desc())
        .limit(500)
    )
    comments: list[str] = []
    for form_id, version, codes, text in session.exec(_in_units(query, unit_ids, Response.unit_id)):
        form = catalog.get(form_id, version)
        overall = decode_codes(form, codes).get("overall") if form else None
        if overall is not None and overall <= DISSATISFIED_AT_MOST and text.strip():
            comments.append(mask_personal_data(displayable(text).strip()))
        if len(comments) == RECENT_COMMENTS:
            break
    return comments
