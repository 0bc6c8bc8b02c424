"""The audit log: one row for every administrative action."""

from sqlmodel import Session

from app.models import AuditLog


def record_action(
    session: Session, actor: str, action: str, entity: str, entity_key: str = "", detail: str = ""
) -> None:
    """Add an audit row to the session; it is committed with the action it records."""
    session.add(
        AuditLog(actor=actor, action=action, entity=entity, entity_key=entity_key, detail=detail)
    )
