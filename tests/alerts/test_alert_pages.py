"""The admin's alerts page: a rule made in a form, warned about before it alerts on every
response, paused; units' contacts; dead letters sent again. Only admins."""

import re
from html import unescape

import httpx
from sqlmodel import Session, select

from app.models import AlertRule
from tests.dashboard.test_dashboard_sessions import key_of, sign_in


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


def admin_page(client: httpx.Client, session: Session) -> str:
    sign_in(client, key_of(session, "admin"))
    page = client.get("/dashboard/alerts")
    assert page.status_code == 200
    return csrf_of(page.text)


def test_a_rule_without_conditions_is_saved_only_once_the_admin_confirms(
    client: httpx.Client, session: Session
) -> None:
    csrf = admin_page(client, session)
    form = {"csrf": csrf, "name": "Mọi phản hồi", "recipient": "email",
            "emails": "qa@haiphong.gov.vn"}  # fmt: skip
    warned = client.post("/dashboard/alerts", data=form)
    assert warned.status_code == 422
    assert "mọi phản hồi trong phạm vi" in unescape(warned.text)
    assert 'id="match_everything"' in warned.text
    assert session.exec(select(AlertRule)).all() == []
    saved = client.post("/dashboard/alerts", data={**form, "match_everything": "1"})
    assert saved.status_code == 303
    page = client.get(saved.headers["location"]).text
    assert "Đã lưu quy tắc “Mọi phản hồi”" in unescape(page)
    assert "mọi phản hồi</td>" in page


def test_a_webhook_rule_shows_its_secret_once_and_can_be_paused(
    client: httpx.Client, session: Session
) -> None:
    csrf = admin_page(client, session)
    form = {"csrf": csrf, "name": "Tổng đài 1022", "recipient": "webhook", "misconduct": "1",
            "url": "http://1022.haiphong.gov.vn/sipas"}  # fmt: skip
    refused = client.post("/dashboard/alerts", data=form)
    assert refused.status_code == 422
    assert "must be https" in refused.text
    saved = client.post("/dashboard/alerts", data={**form, "url": "https://1022.haiphong.gov.vn/s"})
    rule = session.exec(select(AlertRule)).one()
    assert saved.status_code == 200
    assert rule.secret in saved.text
    assert rule.secret not in client.get("/dashboard/alerts").text
    client.post(f"/dashboard/alerts/rules/{rule.id}/pause", data={"csrf": csrf})
    session.refresh(rule)
    assert rule.active is False


def test_a_units_contacts_are_checked_address_by_address(
    client: httpx.Client, session: Session
) -> None:
    csrf = admin_page(client, session)
    form = {"csrf": csrf, "unit": "10507"}
    bad = client.post("/dashboard/alerts/contacts", data={**form, "emails": "motcua@, ok@x.vn"})
    assert bad.status_code == 422
    assert "not an e-mail address: &#39;motcua@&#39;" in bad.text
    good = client.post("/dashboard/alerts/contacts",
                       data={**form, "emails": "Motcua@X.vn; b@x.vn"})  # fmt: skip
    assert good.status_code == 303
    assert "10507: b@x.vn, motcua@x.vn" in client.get(good.headers["location"]).text


def test_only_admins_see_the_alerts_page_and_everyone_the_cases(
    client: httpx.Client, session: Session
) -> None:
    sign_in(client, key_of(session, "analyst"))
    assert client.get("/dashboard/alerts").status_code == 403
    cases = client.get("/dashboard/cases")
    assert cases.status_code == 200
    assert "Không có hồ sơ nào." in cases.text
