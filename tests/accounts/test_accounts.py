"""People's accounts: a password to sign in, throttled; made, disabled and reset by an
admin in the dashboard or the CLI; every form of a signed-in page carries a CSRF token."""

import io
import re
from datetime import timedelta
from html import unescape

import httpx
import pytest
from sqlmodel import Session, col, func, select

from app.accounts.service import create_account
from app.accounts.sessions import SESSION_COOKIE
from app.cli import main
from app.clock import FixedClock
from app.models import AuditLog, UserAccount
from tests.databases import scalar
from tests.factories import api_key

PASSWORD = "đèn-đỏ-ở-Lạch-Tray"


def account(session: Session, username: str, role: str = "analyst", units: tuple[str, ...] = (),
            password: str = PASSWORD) -> UserAccount:  # fmt: skip
    return create_account(session, username, role, units, password, actor="test")


def log_in(client: httpx.Client, username: str, password: str = PASSWORD) -> httpx.Response:
    return client.post("/dashboard/login", data={"username": username, "password": password})


def csrf_of(client: httpx.Client, path: str = "/dashboard") -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert found, "the signed-in page carries no CSRF token"
    return found.group(1)


def error_of(page: httpx.Response) -> str:
    found = re.search(r'<div class="error-summary".*?</div>', page.text, re.DOTALL)
    assert found
    return unescape(re.sub(r"<[^>]+>|\s+", " ", found.group(0))).strip()


def test_a_person_signs_in_with_a_password_stored_only_as_argon2id(
    client: httpx.Client, session: Session
) -> None:
    made = account(session, "Lan.Nguyen@noivu.haiphong.gov.vn")
    assert made.username == "lan.nguyen@noivu.haiphong.gov.vn"  # names are case-blind
    assert made.password_hash.startswith("$argon2id$")
    assert PASSWORD not in made.password_hash
    answer = log_in(client, "LAN.NGUYEN@noivu.haiphong.gov.vn")
    assert answer.status_code == 303
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    page = client.get("/dashboard").text
    assert "Chỉ tiêu của Kế hoạch" in page
    assert "Bảng điều khiển (phân tích)" in page


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(
    client: httpx.Client, session: Session
) -> None:
    account(session, "lan")
    wrong = log_in(client, "lan", "not-the-password")
    unknown = log_in(client, "nobody", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert error_of(wrong) == error_of(unknown)
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in error_of(wrong)
    assert SESSION_COOKIE not in wrong.cookies


def test_five_failures_lock_a_name_for_fifteen_minutes_whether_it_exists_or_not(
    client: httpx.Client, session: Session, frozen_clock: FixedClock
) -> None:
    account(session, "lan")
    for name in ("lan", "nobody"):
        for _ in range(5):
            assert log_in(client, name, "guess").status_code == 401
    locked = log_in(client, "lan")  # the right password, during the lock
    assert locked.status_code == 429
    assert "thử lại sau 15 phút" in error_of(locked)
    assert error_of(locked) == error_of(log_in(client, "nobody"))
    assert log_in(client, "someone-else", "guess").status_code == 401  # other names are free
    frozen_clock.advance(timedelta(minutes=15, seconds=1))
    assert log_in(client, "lan").status_code == 303


def test_logging_out_needs_the_pages_csrf_token(client: httpx.Client, session: Session) -> None:
    account(session, "lan")
    log_in(client, "lan")
    refused = client.post("/dashboard/logout", data={"csrf": "forged"})
    assert refused.status_code == 403
    assert "Chỉ tiêu của Kế hoạch" in client.get("/dashboard").text  # still signed in
    answer = client.post("/dashboard/logout", data={"csrf": csrf_of(client)})
    assert answer.status_code == 303
    assert 'name="password"' in client.get("/dashboard").text


def test_an_admin_makes_disables_and_resets_accounts_in_the_dashboard(
    client: httpx.Client, session: Session, server_url: str
) -> None:
    account(session, "admin", role="admin")
    log_in(client, "admin")
    csrf = csrf_of(client, "/dashboard/users")
    bad = client.post("/dashboard/users", data={"csrf": csrf, "username": "x", "role": "unit",
                                                "password": "short"})  # fmt: skip
    assert bad.status_code == 422
    words = error_of(bad)
    assert "Tên đăng nhập gồm 3–64 ký tự" in words
    assert "Tài khoản đơn vị cần ít nhất một mã đơn vị." in words
    assert "Mật khẩu cần ít nhất 10 ký tự." in words
    made = client.post("/dashboard/users", data={
        "csrf": csrf, "username": "thanhdong", "display_name": "Cán bộ Thành Đông",
        "role": "unit", "units": "10507", "password": PASSWORD,
    })  # fmt: skip
    assert made.status_code == 303
    assert "Đã tạo tài khoản “thanhdong”." in client.get(made.headers["location"]).text
    with httpx.Client(base_url=server_url) as colleague:
        assert log_in(colleague, "thanhdong").status_code == 303
        assert "Phường Thành Đông" in colleague.get("/dashboard?unit=10507").text
        assert "Không có đơn vị “10525”" in colleague.get("/dashboard?unit=10525").text
        disabled = client.post("/dashboard/users/thanhdong/disable", data={"csrf": csrf})
        assert disabled.status_code == 303
        assert 'name="password"' in colleague.get("/dashboard").text  # the session ended
        assert log_in(colleague, "thanhdong").status_code == 401
        client.post("/dashboard/users/thanhdong/enable", data={"csrf": csrf})
        assert log_in(colleague, "thanhdong").status_code == 303
        reset = client.post("/dashboard/users/thanhdong/password",
                            data={"csrf": csrf, "password": "một-mật-khẩu-mới"})  # fmt: skip
        assert reset.status_code == 303
        assert 'name="password"' in colleague.get("/dashboard").text
        assert log_in(colleague, "thanhdong").status_code == 401
        assert log_in(colleague, "thanhdong", "một-mật-khẩu-mới").status_code == 303
    assert client.post("/dashboard/users/admin/disable", data={"csrf": csrf}).status_code == 422
    actions = session.exec(
        select(AuditLog.action).where(AuditLog.actor == "user:admin").order_by(col(AuditLog.id))
    ).all()
    assert actions == ["create", "disable", "enable", "reset_password"]


def test_only_an_admin_opens_the_accounts_page(client: httpx.Client, session: Session) -> None:
    account(session, "lan")
    log_in(client, "lan")
    assert client.get("/dashboard/users").status_code == 403
    csrf = csrf_of(client)
    made = client.post("/dashboard/users", data={"csrf": csrf, "username": "eve", "role": "admin",
                                                 "password": PASSWORD})  # fmt: skip
    assert made.status_code == 403
    assert session.exec(select(UserAccount).where(UserAccount.username == "eve")).first() is None


def test_a_key_still_signs_in_and_a_key_cannot_make_accounts(
    client: httpx.Client, session: Session
) -> None:
    key = api_key(session, "admin")["Authorization"].split()[1]
    assert client.post("/dashboard/login", data={"api_key": key}).status_code == 303
    assert "Tạo tài khoản" in client.get("/dashboard/users").text  # an admin key may


def test_the_cli_makes_lists_disables_and_resets_accounts(
    cli_env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["seed"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["user", "create", "--username", "Mai", "--role", "unit", "--unit", "10507",
                 "--name", "Trần Thị Mai"]) == 0  # fmt: skip
    assert "created mai (unit)" in capsys.readouterr().out
    hashed = (
        select(func.count())
        .select_from(UserAccount)
        .where(
            UserAccount.username == "mai", col(UserAccount.password_hash).startswith("$argon2id$")
        )
    )
    assert scalar(cli_env, hashed) == 1
    assert main(["user", "list"]) == 0
    assert "mai\tunit\tactive\t10507\tTrần Thị Mai" in capsys.readouterr().out
    assert main(["user", "disable", "mai"]) == 0
    assert main(["user", "list"]) == 0
    assert "mai\tunit\tdisabled" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["user", "reset-password", "mai"]) == 1
    assert "password: Mật khẩu cần ít nhất 10 ký tự." in capsys.readouterr().err
    assert main(["user", "disable", "nobody"]) == 1
    assert "Không có tài khoản “nobody”" in capsys.readouterr().err


@pytest.fixture
def server_url(client: httpx.Client) -> str:
    return str(client.base_url)
