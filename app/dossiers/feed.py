"""The dossier feed: the files a province's one-stop system drops into a folder, and what
its URL serves, imported on the schedule. Each file is recorded with its outcome
(``dossier_pull``): imported; rejected for its content (the errors by line, and a folder's
file moved to ``failed/`` with them beside it); or failed to be read (the URL did not
answer, the database was away), which the next run tries again.

A folder's writer must write under another name (``.part``, or outside the folder) and
rename: only ``.csv`` and ``.json`` files are read, oldest first.
"""

import itertools
import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO, cast
from urllib.parse import urlsplit

import httpx
from sqlalchemy import Connection, Engine
from sqlmodel import Session, col, select

from app import clock
from app.config import Settings
from app.db import writing
from app.dossiers.mapping import load_mapping
from app.dossiers.service import DossierImport, import_dossier_file
from app.errors import AppError
from app.models import DossierPull

log = logging.getLogger("sipas.dossiers")
FEED_ACTOR = "feed"
_SUFFIXES = (".csv", ".json")
_IN_MEMORY = 16 * 1024 * 1024  # a URL's answer beyond this spills to a temporary file
Bind = Engine | Connection


@dataclass(frozen=True)
class Pulled:
    source: str
    outcome: str  # imported | rejected | failed
    result: DossierImport | None = None
    detail: str | None = None


def pull_feed(bind: Bind, settings: Settings) -> list[Pulled]:
    """One run over the configured folder and URL; what each file became."""
    pulled: list[Pulled] = []
    if settings.dossier_inbox is not None:
        pulled += pull_inbox(bind, settings.dossier_inbox, settings)
    if settings.dossier_feed_url:
        with httpx.Client(timeout=120, follow_redirects=True) as client:
            pulled += pull_url(bind, settings.dossier_feed_url, settings, client)
    return pulled


def pull_inbox(bind: Bind, inbox: Path, settings: Settings) -> list[Pulled]:
    """Import the folder's files, oldest first; each moved to ``done/<day>/`` or, with its
    errors beside it, to ``failed/``. A file that could not be read for another reason
    (the database away) stays for the next run."""
    if not inbox.is_dir():
        log.warning("dossier inbox %s is not a folder", inbox)
        return [_record(bind, Pulled(str(inbox), "failed", detail="not a folder"))]
    files = [p for p in inbox.iterdir() if p.is_file() and p.suffix.lower() in _SUFFIXES]
    pulled = []
    for path in sorted(files, key=lambda p: (p.stat().st_mtime, p.name)):
        with path.open("rb") as content:
            outcome = _import(bind, path.name, content, settings)
        if outcome.outcome == "imported":
            day = clock.now().astimezone(settings.zone).date().isoformat()
            _move(path, inbox / "done" / day)
        elif outcome.outcome == "rejected":
            moved = _move(path, inbox / "failed")
            moved.with_name(moved.name + ".errors.txt").write_text(
                outcome.detail or "", encoding="utf-8"
            )
        pulled.append(_record(bind, outcome))
        if outcome.outcome == "failed":
            break  # the database is away: the rest waits for the next run
    return pulled


def pull_url(bind: Bind, url: str, settings: Settings, client: httpx.Client) -> list[Pulled]:
    """Fetch the URL (for yesterday and today where it has ``{day}``) and import each
    answer."""
    today = clock.now().astimezone(settings.zone).date()
    days = [today - timedelta(days=1), today] if "{day}" in url else [None]
    headers = {}
    if settings.dossier_feed_token:
        headers["Authorization"] = f"Bearer {settings.dossier_feed_token}"
    pulled = []
    for day in days:
        address = url.replace("{day}", day.strftime("%Y%m%d")) if day else url
        shown = _without_query(address)
        try:
            with _download(client, address, headers) as (content, is_json):
                stem = Path(urlsplit(address).path).stem or "feed"
                name = stem + (".json" if is_json else ".csv")
                outcome = _import(bind, name, content, settings, source=shown)
        except (httpx.HTTPError, _Refused) as problem:
            outcome = Pulled(shown, "failed", detail=str(problem) or type(problem).__name__)
            log.warning("dossier feed %s: %s", shown, outcome.detail)
        pulled.append(_record(bind, outcome))
    return pulled


class _Refused(Exception):
    """The feed answered with an error status."""


@contextmanager
def _download(
    client: httpx.Client, url: str, headers: dict[str, str]
) -> Iterator[tuple[BinaryIO, bool]]:
    """The URL's answer in a temporary file (in memory up to a size), and whether it is
    JSON (by its type, or by its first character)."""
    with tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY) as file:
        with client.stream("GET", url, headers=headers) as answer:
            if not answer.is_success:
                raise _Refused(f"HTTP {answer.status_code} {answer.read()[:200]!r}")
            for chunk in answer.iter_bytes():
                file.write(chunk)
            kind = answer.headers.get("content-type", "")
        file.seek(0)
        first = file.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        file.seek(0)
        yield cast(BinaryIO, file), "json" in kind or first in (b"[", b"{")


def _import(
    bind: Bind, name: str, content: BinaryIO, settings: Settings, source: str | None = None
) -> Pulled:
    source = source or name
    try:
        mapping = load_mapping(settings.dossier_mapping)
    except AppError as problem:  # the configuration's, not the file's: the file stays
        log.error("dossier feed %s: %s", source, problem)
        return Pulled(source, "failed", detail=str(problem))
    try:
        with _session(bind) as session:
            result = import_dossier_file(session, name, content, mapping, settings, FEED_ACTOR)
    except AppError as problem:  # the file's content: its errors, by line and field
        lines = [str(problem)] + [
            f"line {e.line}, {e.field}: {e.message}" if e.line else f"{e.field}: {e.message}"
            for e in problem.errors
        ]
        log.warning("dossier feed %s rejected: %s", source, problem)
        return Pulled(source, "rejected", detail="\n".join(lines) + "\n")
    except Exception as problem:  # the database away: tried again next run
        log.exception("dossier feed %s could not be imported", source)
        return Pulled(source, "failed", detail=f"{type(problem).__name__}: {problem}")
    log.info("dossier feed %s: %r", source, result)
    return Pulled(source, "imported", result)


def _record(bind: Bind, pulled: Pulled) -> Pulled:
    result = pulled.result
    try:
        with _session(bind) as session, writing(session):
            session.add(DossierPull(
                source=pulled.source[:500], at=clock.now(), outcome=pulled.outcome,
                rows=result.rows if result else 0, inserted=result.inserted if result else 0,
                updated=result.updated if result else 0, detail=pulled.detail,
            ))  # fmt: skip
    except Exception:  # the log has it; the outcome is still returned
        log.exception("the dossier pull of %s could not be recorded", pulled.source)
    return pulled


def recent_pulls(session: Session, limit: int = 50) -> list[DossierPull]:
    return list(session.exec(select(DossierPull).order_by(col(DossierPull.id).desc()).limit(limit)))


def _session(bind: Bind) -> Session:
    # On a connection (a test's transaction) its commits are savepoints.
    return Session(bind, join_transaction_mode="create_savepoint")


def _move(path: Path, folder: Path) -> Path:
    """``path`` moved into ``folder`` under a name not taken there."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    for n in itertools.count(1):
        if not target.exists():
            break
        target = folder / f"{path.stem}.{n}{path.suffix}"
    path.replace(target)
    return target


def _without_query(url: str) -> str:
    """The URL as shown and stored: a query may hold a key."""
    parts = urlsplit(url)
    return parts._replace(query="…" if parts.query else "", fragment="").geturl()
