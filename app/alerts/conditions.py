"""What a rule looks at in a response, whether a rule matches it, and when its alert may
leave (digests and quiet hours). Pure: no database."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from app.models import AlertRule, Response
from app.surveys.forms import (
    NO_PROBLEM,
    REPORTED_PROBLEMS,
    Choice3,
    FormCatalog,
    Likert5,
    SurveyFormDefinition,
    decode_codes,
)

# Daily digests leave at the start of the working day, in the city's time.
DAILY_DIGEST_HOUR = 8


@dataclass(frozen=True, slots=True)
class ResponseFacts:
    """A response as the rules see it: never its text, only whether it has one."""

    unit_id: int
    sector_code: str
    overall: int | None
    dissatisfied_elements: tuple[str, ...]
    misconduct: tuple[str, ...]  # the questions on which harassment or a payment was reported
    has_comment: bool
    flagged: bool


def facts_of(
    form: SurveyFormDefinition,
    codes: Mapping[str, int],
    *,
    unit_id: int,
    sector_code: str,
    has_comment: bool,
    flagged: bool,
) -> ResponseFacts:
    def dissatisfied(qid: str) -> bool:
        question = form.by_id.get(qid)
        return isinstance(question, Likert5 | Choice3) and codes.get(qid) in (
            question.dissatisfied_codes
        )

    elements = tuple(
        element.id
        for element in form.aggregation.elements
        if any(dissatisfied(criterion) for criterion in element.criteria)
    )
    return ResponseFacts(
        unit_id=unit_id,
        sector_code=sector_code,
        overall=codes.get(form.aggregation.overall) or None,
        dissatisfied_elements=elements,
        misconduct=tuple(q for q in REPORTED_PROBLEMS if codes.get(q, NO_PROBLEM) > NO_PROBLEM),
        has_comment=has_comment,
        flagged=flagged,
    )


def stored_facts(
    catalog: FormCatalog, response: Response, has_comment: bool
) -> ResponseFacts | None:
    """The facts of a stored response; None if its form is no longer in the catalogue."""
    form = catalog.get(response.form_id, response.form_version)
    if form is None:
        return None
    return facts_of(
        form,
        decode_codes(form, response.answer_codes),
        unit_id=response.unit_id,
        sector_code=response.sector_code,
        has_comment=has_comment,
        flagged=response.excluded,
    )


def matches_everything(rule: AlertRule) -> bool:
    """True when the rule sets no condition: every response in its scope would alert."""
    return not (
        rule.overall_at_most is not None
        or rule.element_dissatisfied
        or rule.misconduct
        or rule.has_comment
        or rule.not_flagged
    )


def matches(rule: AlertRule, facts: ResponseFacts) -> bool:
    """Whether ``facts`` are in the rule's scope and meet every condition it sets."""
    if rule.scope == "sector" and facts.sector_code != rule.sector_code:
        return False
    if rule.scope == "unit" and facts.unit_id != rule.unit_id:
        return False
    if rule.overall_at_most is not None and (
        facts.overall is None or facts.overall > rule.overall_at_most
    ):
        return False
    if rule.element_dissatisfied and not facts.dissatisfied_elements:
        return False
    if rule.misconduct and not facts.misconduct:
        return False
    if rule.has_comment and not facts.has_comment:
        return False
    return not (rule.not_flagged and facts.flagged)


def in_quiet_hours(hour: int, start: int, end: int) -> bool:
    """Whether a local hour falls in [start, end), a window that may wrap midnight."""
    if start < end:
        return start <= hour < end
    return hour >= start or hour < end


def next_at_hour(local: datetime, hour: int) -> datetime:
    """The first ``hour``:00 after ``local``, the same day or the next."""
    at = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    return at if at > local else at + timedelta(days=1)


def quiet_until(local: datetime, start: int | None, end: int | None) -> datetime | None:
    """When the quiet hours [start, end) that ``local`` falls in end; None outside them."""
    if start is None or end is None or not in_quiet_hours(local.hour, start, end):
        return None
    return next_at_hour(local, end)


def due_at(rule: AlertRule, created_at: datetime, zone: ZoneInfo) -> datetime:
    """When an alert raised at ``created_at`` may leave: at once, at the next full hour,
    or at the next daily digest, and never inside the rule's quiet hours.

    >>> from datetime import UTC
    >>> city = ZoneInfo("Asia/Ho_Chi_Minh")
    >>> rule = AlertRule(name="", scope="city", recipient="email", quiet_start=21, quiet_end=7)
    >>> due_at(rule, datetime(2026, 10, 5, 16, 30, tzinfo=UTC), city).astimezone(city)
    datetime.datetime(2026, 10, 6, 7, 0, tzinfo=zoneinfo.ZoneInfo(key='Asia/Ho_Chi_Minh'))
    """
    local = created_at.astimezone(zone)
    if rule.digest == "hourly":
        local = local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    elif rule.digest == "daily":
        local = next_at_hour(local, DAILY_DIGEST_HOUR)
    local = quiet_until(local, rule.quiet_start, rule.quiet_end) or local
    return local.astimezone(created_at.tzinfo)
