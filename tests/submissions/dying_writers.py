"""Batch writers for the writer process's tests: the child imports them by name, so
they live apart from the tests, which import the whole application."""

import os
import threading
from collections.abc import Sequence
from pathlib import Path

from sqlmodel import Session


def die_the_first_time(session: Session, items: Sequence[str]) -> Sequence[str]:
    marker = Path(items[0])
    if not marker.exists():
        marker.touch()
        os._exit(1)
    return items


class Unpicklable(Exception):
    def __init__(self, item: str) -> None:
        super().__init__(f"the lock in {item}")
        self.lock = threading.Lock()


def fail_unpicklably(session: Session, items: Sequence[str]) -> Sequence[object]:
    return [Unpicklable(item) for item in items]
