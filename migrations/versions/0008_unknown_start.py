"""``response.flag_too_fast`` may be unknown: a response with no start time the server
can trust is neither too fast nor fine.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("response") as batch:
        batch.alter_column("flag_too_fast", existing_type=sa.Boolean(), nullable=True)
    # Stored before: a response without a start time was never too fast; now it is unknown.
    op.execute("UPDATE response SET flag_too_fast = NULL WHERE started_at IS NULL")


def downgrade() -> None:
    op.execute("UPDATE response SET flag_too_fast = FALSE WHERE flag_too_fast IS NULL")
    with op.batch_alter_table("response") as batch:
        batch.alter_column("flag_too_fast", existing_type=sa.Boolean(), nullable=False)
