"""PostgreSQL: pqcscan_json_patch(), RFC 7396 merge of asset details (SQLite's json_patch)

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# SQLite's json_patch() is RFC 7396: objects merge key by key and recursively, a null in the
# patch removes the key, anything else replaces. PostgreSQL's jsonb || merges one level and
# keeps nulls, so the upsert of asset details calls this function instead.
CREATE = """
CREATE OR REPLACE FUNCTION pqcscan_json_patch(target jsonb, patch jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    merged jsonb;
    entry record;
BEGIN
    IF patch IS NULL OR jsonb_typeof(patch) <> 'object' THEN
        RETURN patch;
    END IF;
    IF target IS NULL OR jsonb_typeof(target) <> 'object' THEN
        merged := '{}'::jsonb;
    ELSE
        merged := target;
    END IF;
    FOR entry IN SELECT key, value FROM jsonb_each(patch) LOOP
        IF jsonb_typeof(entry.value) = 'null' THEN
            merged := merged - entry.key;
        ELSE
            merged := merged || jsonb_build_object(
                entry.key, pqcscan_json_patch(merged -> entry.key, entry.value));
        END IF;
    END LOOP;
    RETURN merged;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(CREATE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS pqcscan_json_patch(jsonb, jsonb)")
