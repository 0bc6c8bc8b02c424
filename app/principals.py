"""Who is calling: an API key (a machine) or a person's account, with its role."""

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class Principal:
    """An API key or an account: its id, its name (the key's prefix, the account's
    username), its role and, for the ``unit`` role, the units it may read."""

    kind: Literal["key", "user"]
    id: int
    name: str
    role: str
    unit_ids: frozenset[int]

    @property
    def actor(self) -> str:
        """How the audit log names it: ``key:<prefix>`` or ``user:<username>``."""
        return f"{self.kind}:{self.name}"

    def can_read_unit(self, unit_id: int) -> bool:
        return self.role != "unit" or unit_id in self.unit_ids
