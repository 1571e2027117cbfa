"""recommendations, versions, amendments, counters

Revision ID: 20261129_02
Revises: 20261129_01
Create Date: 2026-11-29 12:25:52.187256

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '20261129_02'
down_revision = '20261129_01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('counters',
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'year', name=op.f('pk_counters'))
    )
    op.create_table('themes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('name_fr', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_themes')),
    sa.UniqueConstraint('code', name=op.f('uq_themes_code'))
    )
    op.create_table('recommendations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=250), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('rapporteur_id', sa.Integer(), nullable=False),
    sa.Column('current_version_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('state_changed_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("state IN ('draft', 'deliberation', 'consultation', 'consolidation', 'voting', 'adopted', 'rejected', 'published', 'withdrawn')", name=op.f('ck_recommendations_state')),
    sa.ForeignKeyConstraint(['rapporteur_id'], ['users.id'], name=op.f('fk_recommendations_rapporteur_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recommendations')),
    sa.UniqueConstraint('reference', name=op.f('uq_recommendations_reference')),
    sa.UniqueConstraint('year', 'sequence', name='uq_recommendations_year_sequence')
    )
    with op.batch_alter_table('recommendations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recommendations_rapporteur_id'), ['rapporteur_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recommendations_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_recommendations_updated_at'), ['updated_at'], unique=False)

    op.create_table('recommendation_themes',
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendations.id'], name=op.f('fk_recommendation_themes_recommendation_id_recommendations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['themes.id'], name=op.f('fk_recommendation_themes_theme_id_themes')),
    sa.PrimaryKeyConstraint('recommendation_id', 'theme_id', name=op.f('pk_recommendation_themes'))
    )
    op.create_table('recommendation_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=250), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('change_note', sa.String(length=500), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_recommendation_versions_author_id_users')),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendations.id'], name=op.f('fk_recommendation_versions_recommendation_id_recommendations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recommendation_versions')),
    sa.UniqueConstraint('recommendation_id', 'number', name='uq_recommendation_versions_number')
    )
    # recommendations and recommendation_versions point at each other: add this key last.
    with op.batch_alter_table('recommendations', schema=None) as batch_op:
        batch_op.create_foreign_key(
            'fk_recommendations_current_version', 'recommendation_versions',
            ['current_version_id'], ['id'],
        )
    with op.batch_alter_table('recommendation_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recommendation_versions_recommendation_id'), ['recommendation_id'], unique=False)

    op.create_table('sponsorships',
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendations.id'], name=op.f('fk_sponsorships_recommendation_id_recommendations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sponsorships_user_id_users')),
    sa.PrimaryKeyConstraint('recommendation_id', 'user_id', name=op.f('pk_sponsorships'))
    )
    op.create_table('amendments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('base_version_id', sa.Integer(), nullable=False),
    sa.Column('paragraph', sa.Integer(), nullable=False),
    sa.Column('original_text', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('justification', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.Column('result_version_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('replace', 'insert_after', 'delete')", name=op.f('ck_amendments_kind')),
    sa.CheckConstraint("state IN ('proposed', 'accepted', 'rejected', 'withdrawn', 'put_to_vote')", name=op.f('ck_amendments_state')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_amendments_author_id_users')),
    sa.ForeignKeyConstraint(['base_version_id'], ['recommendation_versions.id'], name=op.f('fk_amendments_base_version_id_recommendation_versions')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_amendments_decided_by_id_users')),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendations.id'], name=op.f('fk_amendments_recommendation_id_recommendations')),
    sa.ForeignKeyConstraint(['result_version_id'], ['recommendation_versions.id'], name=op.f('fk_amendments_result_version_id_recommendation_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_amendments'))
    )
    with op.batch_alter_table('amendments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_amendments_recommendation_id'), ['recommendation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_amendments_state'), ['state'], unique=False)

    op.create_table('state_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=True),
    sa.Column('to_state', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_state_changes_actor_id_users')),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendations.id'], name=op.f('fk_state_changes_recommendation_id_recommendations')),
    sa.ForeignKeyConstraint(['version_id'], ['recommendation_versions.id'], name=op.f('fk_state_changes_version_id_recommendation_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_state_changes'))
    )
    with op.batch_alter_table('state_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_state_changes_recommendation_id'), ['recommendation_id'], unique=False)



def downgrade():
    with op.batch_alter_table('recommendations', schema=None) as batch_op:
        batch_op.drop_constraint('fk_recommendations_current_version', type_='foreignkey')
    with op.batch_alter_table('state_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_state_changes_recommendation_id'))

    op.drop_table('state_changes')
    with op.batch_alter_table('amendments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_amendments_state'))
        batch_op.drop_index(batch_op.f('ix_amendments_recommendation_id'))

    op.drop_table('amendments')
    op.drop_table('sponsorships')
    with op.batch_alter_table('recommendation_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recommendation_versions_recommendation_id'))

    op.drop_table('recommendation_versions')
    op.drop_table('recommendation_themes')
    with op.batch_alter_table('recommendations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recommendations_updated_at'))
        batch_op.drop_index(batch_op.f('ix_recommendations_state'))
        batch_op.drop_index(batch_op.f('ix_recommendations_rapporteur_id'))

    op.drop_table('recommendations')
    op.drop_table('themes')
    op.drop_table('counters')
