"""Analysts' tags on comments, for the comments inbox.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "comment_tag",
        sa.Column("response_id", sa.Uuid(), nullable=False),
        sa.Column("tag", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"], ["response.id"], name=op.f("fk_comment_tag_response_id_response")
        ),
        sa.PrimaryKeyConstraint("response_id", "tag", name=op.f("pk_comment_tag")),
    )


def downgrade() -> None:
    op.drop_table("comment_tag")
