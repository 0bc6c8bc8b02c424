"""People's accounts: created, disabled and reset by an admin; sign-in with throttling.

Sign-in says the same thing whether or not the name exists, and takes as long either way.
Five failed attempts on one name within 15 minutes lock that name — existing or not — for
the rest of the window; failures are kept by the name's SHA-256, never with an address
(the per-client rate limit on sign-ins covers addresses).
"""

import enum
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, delete, func, select

from app import clock
from app.accounts.passwords import (
    hash_password,
    needs_rehash,
    password_problem,
    unknown_account_hash,
    verify_password,
)
from app.audit import record_action
from app.db import writes, writing
from app.errors import FieldError, Invalid, NotFound
from app.models import (
    ROLES,
    DashboardSession,
    LoginFailure,
    Unit,
    UserAccount,
    UserAccountUnit,
)
from app.principals import Principal

USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{2,63}")
THROTTLE_FAILURES = 5
THROTTLE_WINDOW = timedelta(minutes=15)


class SignInRefused(enum.Enum):
    WRONG = "wrong"  # unknown name, wrong password or disabled account: one answer for all
    THROTTLED = "throttled"


@dataclass(frozen=True, slots=True)
class AccountListing:
    username: str
    display_name: str
    role: str
    unit_codes: tuple[str, ...]
    created_at: str
    disabled: bool


def normal_username(username: str) -> str:
    return unicodedata.normalize("NFC", username).strip().lower()


@writes
def create_account(
    session: Session,
    username: str,
    role: str,
    unit_codes: Sequence[str],
    password: str,
    actor: str,
    display_name: str = "",
) -> UserAccount:
    name = normal_username(username)
    errors = []
    if not USERNAME.fullmatch(name):
        errors.append(FieldError("username", "Tên đăng nhập gồm 3–64 ký tự a–z, 0–9, . _ @ -."))
    elif session.exec(select(UserAccount).where(UserAccount.username == name)).first():
        errors.append(FieldError("username", f"Đã có tài khoản “{name}”."))
    if role not in ROLES:
        errors.append(FieldError("role", f"Vai trò phải là một trong: {', '.join(ROLES)}."))
    units = _units(session, role, unit_codes, errors)
    if problem := password_problem(password, name):
        errors.append(FieldError("password", problem))
    if len(display_name) > 200:
        errors.append(FieldError("display_name", "Họ tên dài quá 200 ký tự."))
    if errors:
        raise Invalid("the account cannot be created", errors)
    account = UserAccount(
        username=name,
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        role=role,
        created_at=clock.now(),
        password_changed_at=clock.now(),
    )
    session.add(account)
    session.flush()
    assert account.id is not None
    for unit in units:
        assert unit.id is not None
        session.add(UserAccountUnit(user_id=account.id, unit_id=unit.id))
    record_action(session, actor, "create", "user_account", name, detail=f"role={role}")
    return account


def _units(
    session: Session, role: str, unit_codes: Sequence[str], errors: list[FieldError]
) -> list[Unit]:
    codes = [code.strip() for code in unit_codes if code.strip()]
    if role == "unit" and not codes:
        errors.append(FieldError("units", "Tài khoản đơn vị cần ít nhất một mã đơn vị."))
    if role != "unit" and codes:
        errors.append(FieldError("units", "Chỉ tài khoản đơn vị mới gắn với đơn vị."))
    units = list(session.exec(select(Unit).where(col(Unit.code).in_(codes))).all())
    if missing := sorted(set(codes) - {unit.code for unit in units}):
        errors.append(FieldError("units", f"Không có đơn vị: {', '.join(missing)}."))
    return units


def _account(session: Session, username: str) -> UserAccount:
    name = normal_username(username)
    account = session.exec(select(UserAccount).where(UserAccount.username == name)).first()
    if account is None:
        raise NotFound(f"Không có tài khoản “{name}”.")
    return account


def _end_sessions(session: Session, account: UserAccount) -> None:
    for open_session in session.exec(
        select(DashboardSession).where(
            DashboardSession.user_id == account.id, col(DashboardSession.ended_at).is_(None)
        )
    ):
        open_session.ended_at = clock.now()
        session.add(open_session)


@writes
def set_disabled(session: Session, username: str, disabled: bool, actor: str) -> None:
    """Disable an account (its sessions end at once) or enable it again."""
    account = _account(session, username)
    if disabled and account.disabled_at is None:
        account.disabled_at = clock.now()
        _end_sessions(session, account)
    elif not disabled:
        account.disabled_at = None
    session.add(account)
    record_action(session, actor, "disable" if disabled else "enable", "user_account",
                  account.username)  # fmt: skip


@writes
def reset_password(session: Session, username: str, password: str, actor: str) -> None:
    """An admin sets a new password; every session of the account ends."""
    account = _account(session, username)
    if problem := password_problem(password, account.username):
        raise Invalid("the password is refused", [FieldError("password", problem)])
    account.password_hash = hash_password(password)
    account.password_changed_at = clock.now()
    session.add(account)
    _end_sessions(session, account)
    record_action(session, actor, "reset_password", "user_account", account.username)


def list_accounts(session: Session) -> list[AccountListing]:
    listings = []
    for account in session.exec(select(UserAccount).order_by(col(UserAccount.username))):
        codes = session.exec(
            select(Unit.code)
            .join(UserAccountUnit, col(UserAccountUnit.unit_id) == col(Unit.id))
            .where(UserAccountUnit.user_id == account.id)
        ).all()
        listings.append(
            AccountListing(
                account.username,
                account.display_name,
                account.role,
                tuple(sorted(codes)),
                account.created_at.isoformat(),
                account.disabled_at is not None,
            )
        )
    return listings


def account_principal(session: Session, user_id: int) -> Principal | None:
    """The principal of an enabled account; None for a disabled or unknown one."""
    account = session.get(UserAccount, user_id)
    if account is None or account.id is None or account.disabled_at is not None:
        return None
    units = session.exec(select(UserAccountUnit.unit_id).where(UserAccountUnit.user_id == user_id))
    return Principal("user", account.id, account.username, account.role, frozenset(units))


def sign_in(session: Session, username: str, password: str) -> Principal | SignInRefused:
    """The account's principal for a right name and password, else why not."""
    name = normal_username(username)
    name_key = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()
    since = clock.now() - THROTTLE_WINDOW
    failures = session.exec(
        select(func.count()).select_from(LoginFailure).where(
            LoginFailure.name_sha256 == name_key, col(LoginFailure.at) > since
        )
    ).one()  # fmt: skip
    if failures >= THROTTLE_FAILURES:
        return SignInRefused.THROTTLED
    account = session.exec(select(UserAccount).where(UserAccount.username == name)).first()
    usable = account is not None and account.disabled_at is None
    stored = account.password_hash if usable and account else unknown_account_hash()
    if not (verify_password(stored, password) and usable and account and account.id):
        with writing(session):
            session.exec(delete(LoginFailure).where(
                col(LoginFailure.name_sha256) == name_key, col(LoginFailure.at) <= since
            ))  # fmt: skip
            session.add(LoginFailure(name_sha256=name_key, at=clock.now()))
        return SignInRefused.WRONG
    with writing(session):
        session.exec(delete(LoginFailure).where(col(LoginFailure.name_sha256) == name_key))
        if needs_rehash(account.password_hash):
            account.password_hash = hash_password(password)
            session.add(account)
    principal = account_principal(session, account.id)
    return principal if principal is not None else SignInRefused.WRONG
