"""The sector "not known": a citizen at a counter of several sectors may not know which
was theirs. A row of reference data, here so that a database upgraded without a new
``sipas seed`` has it too.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        sa.text(
            "INSERT INTO sector (code, name_vi, name_en) "
            "SELECT 'unknown', 'Không rõ lĩnh vực', 'Sector not known' "
            "WHERE NOT EXISTS (SELECT 1 FROM sector WHERE code = 'unknown')"
        )
    )


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM sector WHERE code = 'unknown'"))
