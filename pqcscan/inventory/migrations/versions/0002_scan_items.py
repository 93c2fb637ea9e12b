"""scan items: the units a run has finished, so that an interrupted run can resume

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scan_items",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("key_sha", sa.String(length=64), nullable=False),
        sa.Column("unit_key", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["scan_runs.id"],
            name=op.f("fk_scan_items_run_id_scan_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "key_sha", name=op.f("pk_scan_items")),
    )


def downgrade() -> None:
    op.drop_table("scan_items")
