"""What a delivery says: the webhook's JSON and the e-mail's text, built from the stored
responses when it is sent. The unit, counter, time and scores, and a link to the case;
never the citizen's text, masked or not (only whether there is one)."""

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from app.alerts.conditions import ResponseFacts, stored_facts
from app.models import Alert, AlertDelivery, AlertRule, Counter, Response, TextAnswer, Unit
from app.surveys.forms import LIKERT_LABELS, FormCatalog

PROBLEM_NAMES = {"harassment": "gây phiền hà, sách nhiễu", "informal_payment": "chi thêm tiền"}
OVERALL_NAMES = LIKERT_LABELS["vi"]


@dataclass(frozen=True)
class Message:
    payload: dict[str, Any]
    subject: str
    text: str


def _item(
    alert: Alert,
    response: Response,
    facts: ResponseFacts,
    unit: Unit,
    counter: Counter | None,
    base_url: str,
    zone: ZoneInfo,
) -> dict[str, Any]:
    return {
        "alert_id": str(alert.id),
        "case_id": alert.case_id,
        "case_url": f"{base_url}/dashboard/cases/{alert.case_id}",
        "submitted_at": response.submitted_at.astimezone(zone).isoformat(),
        "unit": {"code": unit.code, "name": unit.name},
        "counter": None if counter is None else {"code": counter.code, "name": counter.name},
        "sector": response.sector_code,
        "channel": response.channel,
        "form": f"{response.form_id}.v{response.form_version}",
        "overall": facts.overall,
        "dissatisfied_elements": list(facts.dissatisfied_elements),
        "reported": list(facts.misconduct),
        "has_comment": facts.has_comment,
        "flagged": facts.flagged,
    }


def build_message(
    session: Session,
    catalog: FormCatalog,
    delivery: AlertDelivery,
    rule: AlertRule,
    base_url: str,
    zone: ZoneInfo,
) -> Message:
    rows = session.exec(
        select(Alert, Response, Unit, Counter)
        .join(Response, col(Response.id) == col(Alert.response_id))
        .join(Unit, col(Unit.id) == col(Alert.unit_id))
        .outerjoin(Counter, col(Counter.id) == col(Response.counter_id))
        .where(Alert.delivery_id == delivery.id)
        .order_by(col(Response.submitted_at))
    ).all()
    commented = set(
        session.exec(
            select(TextAnswer.response_id).where(
                col(TextAnswer.response_id).in_([response.id for _, response, _, _ in rows])
            )
        ).all()
    )
    items = []
    for alert, response, unit, counter in rows:
        facts = stored_facts(catalog, response, has_comment=response.id in commented)
        if facts is not None:
            items.append(_item(alert, response, facts, unit, counter, base_url, zone))
    payload = {
        "delivery_id": str(delivery.id),
        "rule": {"id": rule.id, "name": rule.name},
        "digest": rule.digest,
        "alerts": items,
    }
    units = sorted({item["unit"]["name"] for item in items})
    subject = f"[SIPAS] {len(items)} phản hồi cần xử lý — {', '.join(units)[:120]}"
    element_names = {
        element.id: element.label.vi
        for loaded in catalog.loaded()
        for element in loaded.definition.aggregation.elements
    }
    return Message(payload, subject, _text(rule, items, element_names))


def _text(rule: AlertRule, items: list[dict[str, Any]], element_names: dict[str, str]) -> str:
    lines = [
        "Kính gửi đơn vị,",
        "",
        f"Hệ thống khảo sát SIPAS ghi nhận {len(items)} phản hồi khớp quy tắc cảnh báo "
        f"“{rule.name}”. Xin xem và xử lý trên Bảng điều khiển:",
        "",
    ]
    for item in items:
        where = item["unit"]["name"]
        if item["counter"]:
            where += f" — {item['counter']['name']}"
        lines.append(f"• {item['submitted_at'][:16].replace('T', ' ')} · {where}")
        if item["overall"] is not None:
            overall = item["overall"]
            lines.append(f"  Đánh giá chung: {overall}/5 ({OVERALL_NAMES[overall]})")
        if item["dissatisfied_elements"]:
            names = ", ".join(element_names.get(e, e) for e in item["dissatisfied_elements"])
            lines.append(f"  Không hài lòng về: {names}")
        if item["reported"]:
            names = ", ".join(PROBLEM_NAMES.get(p, p) for p in item["reported"])
            lines.append(f"  Phản ánh: {names}")
        if item["has_comment"]:
            lines.append("  Có góp ý bằng lời (xem trên Bảng điều khiển)")
        lines.append(f"  Hồ sơ xử lý: {item['case_url']}")
        lines.append("")
    lines.append("Thư này được gửi tự động; xin không trả lời thư.")
    return "\n".join(lines)
