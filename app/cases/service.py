"""Following cases up: listing them within a principal's units, oldest open first, and
moving them new → acknowledged → resolved with notes, each step audited."""

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from app import clock
from app.alerts.conditions import stored_facts
from app.audit import record_action
from app.cases.schemas import CaseDetail, CaseSummary, NoteOut
from app.db import writes
from app.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from app.models import (
    Alert,
    AlertRule,
    CaseNote,
    Counter,
    FeedbackCase,
    Response,
    TextAnswer,
    Unit,
)
from app.principals import Principal
from app.privacy import mask_personal_data
from app.surveys.forms import FormCatalog
from app.text import displayable

OPEN_STATUSES = ("new", "acknowledged")
# Who may act on a case: the unit's own people and admins; analysts read.
ACTING_ROLES = ("admin", "unit")
LIST_LIMIT = 500


def _summary(
    catalog: FormCatalog,
    case: FeedbackCase,
    response: Response,
    unit: Unit,
    counter_name: str | None,
    comment: str | None,
    now: datetime,
) -> CaseSummary:
    assert case.id is not None  # stored
    facts = stored_facts(catalog, response, has_comment=bool(comment))
    return CaseSummary(
        id=case.id,
        unit=unit.code,
        unit_name=unit.name,
        counter=counter_name,
        sector=response.sector_code,
        submitted_at=response.submitted_at,
        opened_at=case.opened_at,
        age_hours=round(((case.resolved_at or now) - case.opened_at).total_seconds() / 3600, 1),
        status=case.status,
        acknowledged_at=case.acknowledged_at,
        acknowledged_by=case.acknowledged_by,
        resolved_at=case.resolved_at,
        resolved_by=case.resolved_by,
        overall=facts.overall if facts else None,
        dissatisfied_elements=list(facts.dissatisfied_elements) if facts else [],
        reported=list(facts.misconduct) if facts else [],
        has_comment=bool(comment),
    )


def _query(
    principal: Principal,
) -> Select[FeedbackCase, Response, Unit, str]:  # a select of four columns
    query = (
        select(FeedbackCase, Response, Unit, Counter.name)
        .join(Response, col(Response.id) == col(FeedbackCase.response_id))
        .join(Unit, col(Unit.id) == col(FeedbackCase.unit_id))
        .outerjoin(Counter, col(Counter.id) == col(Response.counter_id))
    )
    if principal.role == "unit":
        query = query.where(col(FeedbackCase.unit_id).in_(principal.unit_ids))
    return query


def _comments(session: Session, response_ids: Sequence[object]) -> dict[object, str]:
    texts: dict[object, str] = {}
    for response_id, text in session.exec(
        select(TextAnswer.response_id, TextAnswer.text).where(
            col(TextAnswer.response_id).in_(response_ids)
        )
    ):
        if text.strip():
            texts[response_id] = mask_personal_data(displayable(text).strip())
    return texts


def list_cases(
    session: Session,
    catalog: FormCatalog,
    principal: Principal,
    statuses: Sequence[str] = OPEN_STATUSES,
    unit_code: str | None = None,
) -> list[CaseSummary]:
    """The principal's cases in ``statuses``, oldest first."""
    query = _query(principal).where(col(FeedbackCase.status).in_(statuses))
    if unit_code is not None:
        query = query.where(Unit.code == unit_code)
    rows = session.exec(query.order_by(col(FeedbackCase.opened_at)).limit(LIST_LIMIT)).all()
    comments = _comments(session, [response.id for _, response, _, _ in rows])
    now = clock.now()
    return [
        _summary(catalog, case, response, unit, counter, comments.get(response.id), now)
        for case, response, unit, counter in rows
    ]


def _readable(session: Session, principal: Principal, case_id: int) -> FeedbackCase:
    case = session.get(FeedbackCase, case_id)
    # A unit's people do not learn that another unit's case exists.
    if case is None or not principal.can_read_unit(case.unit_id):
        raise NotFound(f"no case {case_id}")
    return case


def get_case(
    session: Session, catalog: FormCatalog, principal: Principal, case_id: int
) -> CaseDetail:
    _readable(session, principal, case_id)
    case, response, unit, counter = session.exec(
        _query(principal).where(FeedbackCase.id == case_id)
    ).one()
    comment = _comments(session, [response.id]).get(response.id)
    summary = _summary(catalog, case, response, unit, counter, comment, clock.now())
    rules = session.exec(
        select(AlertRule.name)
        .join(Alert, col(Alert.rule_id) == col(AlertRule.id))
        .where(Alert.case_id == case_id)
        .order_by(col(AlertRule.id))
    ).all()
    notes = session.exec(
        select(CaseNote).where(CaseNote.case_id == case_id).order_by(col(CaseNote.id))
    ).all()
    return CaseDetail(
        **summary.model_dump(),
        comment=comment,
        rules=list(rules),
        notes=[NoteOut(at=n.at, actor=n.actor, action=n.action, text=n.text) for n in notes],
    )


def _acting(session: Session, principal: Principal, case_id: int) -> FeedbackCase:
    if principal.role not in ACTING_ROLES:
        raise Forbidden("only the unit's accounts and admins act on a case")
    return _readable(session, principal, case_id)


def _note(session: Session, case: FeedbackCase, actor: str, action: str, text: str) -> None:
    assert case.id is not None  # stored
    session.add(CaseNote(case_id=case.id, at=clock.now(), actor=actor, action=action,
                         text=text.strip()))  # fmt: skip
    record_action(session, actor, action, "case", str(case.id), text.strip()[:500])


@writes
def acknowledge(session: Session, principal: Principal, case_id: int, note: str = "") -> None:
    """The unit has seen the case and is on it."""
    case = _acting(session, principal, case_id)
    if case.status != "new":
        raise Conflict(f"case {case_id} is already {case.status}")
    case.status = "acknowledged"
    case.acknowledged_at = clock.now()
    case.acknowledged_by = principal.actor
    session.add(case)
    _note(session, case, principal.actor, "acknowledged", note)


@writes
def resolve(session: Session, principal: Principal, case_id: int, note: str = "") -> None:
    """The unit has acted; a case resolved without an acknowledgement is acknowledged then."""
    case = _acting(session, principal, case_id)
    if case.status == "resolved":
        raise Conflict(f"case {case_id} is already resolved")
    now = clock.now()
    if case.acknowledged_at is None:
        case.acknowledged_at = now
        case.acknowledged_by = principal.actor
    case.status = "resolved"
    case.resolved_at = now
    case.resolved_by = principal.actor
    session.add(case)
    _note(session, case, principal.actor, "resolved", note)


@writes
def add_note(session: Session, principal: Principal, case_id: int, note: str) -> None:
    case = _acting(session, principal, case_id)
    if not note.strip():
        raise Invalid("the note was not saved", [FieldError("note", "write the note")])
    _note(session, case, principal.actor, "note", note)
