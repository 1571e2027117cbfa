"""a covering index for members' recommendation lists

Replaces the index on recommendations.updated_at by one on (updated_at, id, audience,
rapporteur_id): a member's list and its count are answered from the index alone.

Revision ID: 20261129_04
Revises: 20261129_03
Create Date: 2026-11-29 16:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '20261129_04'
down_revision = '20261129_03'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('recommendations', schema=None) as batch_op:
        batch_op.drop_index('ix_recommendations_updated_at')
        batch_op.create_index(
            'ix_recommendations_updated_visibility',
            ['updated_at', 'id', 'audience', 'rapporteur_id'],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table('recommendations', schema=None) as batch_op:
        batch_op.drop_index('ix_recommendations_updated_visibility')
        batch_op.create_index('ix_recommendations_updated_at', ['updated_at'], unique=False)
