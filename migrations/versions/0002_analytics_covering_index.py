"""Replace the response date index by one that covers the analytics GROUP BY.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = [
    "local_date",
    "excluded",
    "unit_id",
    "sector_code",
    "month",
    "channel",
    "form_id",
    "form_version",
    "answer_codes",
]


def upgrade() -> None:
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_index("ix_response_local_date")
        batch_op.create_index("ix_response_analytics", COLUMNS, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_index("ix_response_analytics")
        batch_op.create_index("ix_response_local_date", ["local_date"], unique=False)
