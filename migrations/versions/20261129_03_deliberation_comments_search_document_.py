"""deliberation comments, search document, votes, council settings

Revision ID: 20261129_03
Revises: 20261129_02
Create Date: 2026-11-29 13:46:10.327846

"""
from alembic import op
import sqlalchemy as sa

from consult.recommendations.search import statements as _search_statements


# revision identifiers, used by Alembic.
revision = '20261129_03'
down_revision = '20261129_02'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('council_settings',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_council_settings_updated_by_id_users')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_council_settings'))
    )
    op.create_table('deliberation_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('paragraph', sa.Integer(), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('depth', sa.Integer(), nullable=False),
    sa.Column('stance', sa.String(length=10), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('author_college', sa.String(length=20), nullable=True),
    sa.Column('author_organisation', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('edited_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.Column('deleted_by_role', sa.String(length=20), nullable=True),
    sa.CheckConstraint("deleted_by_role IS NULL OR deleted_by_role IN ('author', 'secretariat')", name=op.f('ck_deliberation_comments_deleted_by_role')),
    sa.CheckConstraint("stance IS NULL OR stance IN ('for', 'against', 'neutral')", name=op.f('ck_deliberation_comments_stance')),
    sa.CheckConstraint('depth >= 0 AND depth <= 2', name=op.f('ck_deliberation_comments_depth')),
    sa.CheckConstraint('paragraph IS NULL OR paragraph >= 1', name=op.f('ck_deliberation_comments_paragraph')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_deliberation_comments_author_id_users')),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['users.id'], name=op.f('fk_deliberation_comments_deleted_by_id_users')),
    sa.ForeignKeyConstraint(['parent_id'], ['deliberation_comments.id'], name=op.f('fk_deliberation_comments_parent_id_deliberation_comments')),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendations.id'], name=op.f('fk_deliberation_comments_recommendation_id_recommendations')),
    sa.ForeignKeyConstraint(['version_id'], ['recommendation_versions.id'], name=op.f('fk_deliberation_comments_version_id_recommendation_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliberation_comments'))
    )
    with op.batch_alter_table('deliberation_comments', schema=None) as batch_op:
        batch_op.create_index('ix_deliberation_comments_recommendation', ['recommendation_id', 'created_at'], unique=False)

    op.create_table('deliberation_comment_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('stance', sa.String(length=10), nullable=True),
    sa.Column('written_at', sa.DateTime(), nullable=False),
    sa.Column('replaced_at', sa.DateTime(), nullable=False),
    sa.Column('replaced_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['comment_id'], ['deliberation_comments.id'], name=op.f('fk_deliberation_comment_revisions_comment_id_deliberation_comments')),
    sa.ForeignKeyConstraint(['replaced_by_id'], ['users.id'], name=op.f('fk_deliberation_comment_revisions_replaced_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliberation_comment_revisions'))
    )
    with op.batch_alter_table('deliberation_comment_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deliberation_comment_revisions_comment_id'), ['comment_id'], unique=False)

    op.create_table('polls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('amendment_id', sa.Integer(), nullable=True),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('rules', sa.JSON(), nullable=False),
    sa.Column('max_proxies', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('opens_at', sa.DateTime(), nullable=True),
    sa.Column('closes_at', sa.DateTime(), nullable=True),
    sa.Column('opened_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('chain_head', sa.String(length=64), nullable=True),
    sa.Column('problem', sa.String(length=200), nullable=False),
    sa.CheckConstraint("mode IN ('roll_call', 'secret')", name=op.f('ck_polls_mode')),
    sa.CheckConstraint("state IN ('draft', 'open', 'closed', 'cancelled')", name=op.f('ck_polls_state')),
    sa.ForeignKeyConstraint(['amendment_id'], ['amendments.id'], name=op.f('fk_polls_amendment_id_amendments')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_polls_closed_by_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_polls_created_by_id_users')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_polls_opened_by_id_users')),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendations.id'], name=op.f('fk_polls_recommendation_id_recommendations')),
    sa.ForeignKeyConstraint(['version_id'], ['recommendation_versions.id'], name=op.f('fk_polls_version_id_recommendation_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_polls')),
    sa.UniqueConstraint('reference', name=op.f('uq_polls_reference')),
    sa.UniqueConstraint('year', 'sequence', name='uq_polls_year_sequence')
    )
    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_polls_amendment_id'), ['amendment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_polls_recommendation_id'), ['recommendation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_polls_state'), ['state'], unique=False)

    op.create_table('participations',
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('voter_id', sa.Integer(), nullable=False),
    sa.Column('cast_by_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('voted_on', sa.Date(), nullable=False),
    sa.CheckConstraint("method IN ('online', 'proxy', 'recorded')", name=op.f('ck_participations_method')),
    sa.ForeignKeyConstraint(['cast_by_id'], ['users.id'], name=op.f('fk_participations_cast_by_id_users')),
    sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_participations_poll_id_polls')),
    sa.ForeignKeyConstraint(['voter_id'], ['users.id'], name=op.f('fk_participations_voter_id_users')),
    sa.PrimaryKeyConstraint('poll_id', 'voter_id', name=op.f('pk_participations'))
    )
    op.create_table('poll_results',
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('rules', sa.JSON(), nullable=False),
    sa.Column('rules_text_fr', sa.Text(), nullable=False),
    sa.Column('rules_text_en', sa.Text(), nullable=False),
    sa.Column('entitled', sa.JSON(), nullable=False),
    sa.Column('ballots', sa.Integer(), nullable=False),
    sa.Column('seal', sa.String(length=64), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_poll_results_poll_id_polls')),
    sa.PrimaryKeyConstraint('poll_id', name=op.f('pk_poll_results'))
    )
    op.create_table('poll_voters',
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('college', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_poll_voters_poll_id_polls')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_poll_voters_user_id_users')),
    sa.PrimaryKeyConstraint('poll_id', 'user_id', name=op.f('pk_poll_voters'))
    )
    with op.batch_alter_table('poll_voters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_poll_voters_user_id'), ['user_id'], unique=False)

    op.create_table('proxies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('delegator_id', sa.Integer(), nullable=False),
    sa.Column('holder_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_reason', sa.String(length=20), nullable=False),
    sa.CheckConstraint('delegator_id != holder_id', name=op.f('ck_proxies_not_self')),
    sa.ForeignKeyConstraint(['delegator_id'], ['users.id'], name=op.f('fk_proxies_delegator_id_users')),
    sa.ForeignKeyConstraint(['holder_id'], ['users.id'], name=op.f('fk_proxies_holder_id_users')),
    sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_proxies_poll_id_polls')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proxies'))
    )
    with op.batch_alter_table('proxies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proxies_holder_id'), ['holder_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proxies_poll_id'), ['poll_id'], unique=False)
        batch_op.create_index('uq_proxies_active_delegator', ['poll_id', 'delegator_id'], unique=True, sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))

    op.create_table('roll_call_ballots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('voter_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('choice', sa.String(length=10), nullable=False),
    sa.Column('college', sa.String(length=20), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('cast_by_id', sa.Integer(), nullable=False),
    sa.Column('receipt_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.CheckConstraint("choice IN ('for', 'against', 'abstain')", name=op.f('ck_roll_call_ballots_choice')),
    sa.CheckConstraint("method IN ('online', 'proxy', 'recorded')", name=op.f('ck_roll_call_ballots_method')),
    sa.ForeignKeyConstraint(['cast_by_id'], ['users.id'], name=op.f('fk_roll_call_ballots_cast_by_id_users')),
    sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_roll_call_ballots_poll_id_polls')),
    sa.ForeignKeyConstraint(['voter_id'], ['users.id'], name=op.f('fk_roll_call_ballots_voter_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roll_call_ballots')),
    sa.UniqueConstraint('hash', name=op.f('uq_roll_call_ballots_hash')),
    sa.UniqueConstraint('poll_id', 'voter_id', 'sequence', name='uq_roll_call_ballots_sequence'),
    sa.UniqueConstraint('receipt_hash', name=op.f('uq_roll_call_ballots_receipt_hash'))
    )
    with op.batch_alter_table('roll_call_ballots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roll_call_ballots_poll_id'), ['poll_id'], unique=False)
        batch_op.create_index('uq_roll_call_ballots_current', ['poll_id', 'voter_id'], unique=True, sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))

    op.create_table('secret_ballots',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('choice', sa.String(length=10), nullable=False),
    sa.Column('college', sa.String(length=20), nullable=False),
    sa.Column('receipt_hash', sa.String(length=64), nullable=False),
    sa.CheckConstraint("choice IN ('for', 'against', 'abstain')", name=op.f('ck_secret_ballots_choice')),
    sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_secret_ballots_poll_id_polls')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_secret_ballots')),
    sa.UniqueConstraint('receipt_hash', name=op.f('uq_secret_ballots_receipt_hash')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('secret_ballots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_secret_ballots_poll_id'), ['poll_id'], unique=False)

    with op.batch_alter_table('recommendation_themes', schema=None) as batch_op:
        batch_op.create_index('ix_recommendation_themes_theme', ['theme_id', 'recommendation_id'], unique=False)

    # Existing rows get their audience from their state (lifecycle.AUDIENCE_BY_STATE; a
    # withdrawn text was public unless it never left draft or deliberation) and a search
    # document from their title and summary; the services refresh it at the next change.
    with op.batch_alter_table('recommendations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audience', sa.String(length=10), nullable=False, server_default='authors'))
        batch_op.add_column(sa.Column('search_document', sa.Text(), nullable=False, server_default=''))
    op.execute(
        "UPDATE recommendations SET audience = CASE "
        "WHEN state = 'draft' THEN 'authors' WHEN state = 'deliberation' THEN 'members' "
        "WHEN state = 'withdrawn' AND NOT EXISTS (SELECT 1 FROM state_changes sc "
        "WHERE sc.recommendation_id = recommendations.id AND sc.to_state = 'consultation') "
        "THEN 'members' ELSE 'public' END, "
        "search_document = lower(reference || ' ' || title || ' ' || summary)"
    )
    with op.batch_alter_table('recommendations', schema=None) as batch_op:
        batch_op.alter_column('audience', server_default=None)
        batch_op.alter_column('search_document', server_default=None)
        batch_op.create_check_constraint('audience', "audience IN ('authors', 'members', 'public')")
        batch_op.create_index('ix_recommendations_audience_updated', ['audience', 'updated_at'], unique=False)

    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            "CREATE INDEX ix_recommendations_search_fr ON recommendations "
            "USING gin (to_tsvector('french', search_document))"
        )
    # Last, after every batch operation that may rebuild the table on SQLite: the FTS5
    # table, its triggers and the database guard on immutable versions (search.py).
    for statement in _search_statements(op.get_bind().dialect.name):
        op.execute(statement)



def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for name in ('recommendations_fts_insert', 'recommendations_fts_delete',
                     'recommendations_fts_update', 'recommendation_versions_immutable'):
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
        op.execute('DROP TABLE IF EXISTS recommendation_fts')
    elif dialect == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS recommendation_versions_immutable ON recommendation_versions')
        op.execute('DROP FUNCTION IF EXISTS consult_refuse_version_update()')
        op.execute('DROP INDEX IF EXISTS ix_recommendations_search_fr')
    with op.batch_alter_table('recommendations', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_recommendations_audience'), type_='check')
        batch_op.drop_index('ix_recommendations_audience_updated')
        batch_op.drop_column('search_document')
        batch_op.drop_column('audience')

    with op.batch_alter_table('recommendation_themes', schema=None) as batch_op:
        batch_op.drop_index('ix_recommendation_themes_theme')

    with op.batch_alter_table('secret_ballots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_secret_ballots_poll_id'))

    op.drop_table('secret_ballots')
    with op.batch_alter_table('roll_call_ballots', schema=None) as batch_op:
        batch_op.drop_index('uq_roll_call_ballots_current', sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))
        batch_op.drop_index(batch_op.f('ix_roll_call_ballots_poll_id'))

    op.drop_table('roll_call_ballots')
    with op.batch_alter_table('proxies', schema=None) as batch_op:
        batch_op.drop_index('uq_proxies_active_delegator', sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_proxies_poll_id'))
        batch_op.drop_index(batch_op.f('ix_proxies_holder_id'))

    op.drop_table('proxies')
    with op.batch_alter_table('poll_voters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_poll_voters_user_id'))

    op.drop_table('poll_voters')
    op.drop_table('poll_results')
    op.drop_table('participations')
    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_polls_state'))
        batch_op.drop_index(batch_op.f('ix_polls_recommendation_id'))
        batch_op.drop_index(batch_op.f('ix_polls_amendment_id'))

    op.drop_table('polls')
    with op.batch_alter_table('deliberation_comment_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deliberation_comment_revisions_comment_id'))

    op.drop_table('deliberation_comment_revisions')
    with op.batch_alter_table('deliberation_comments', schema=None) as batch_op:
        batch_op.drop_index('ix_deliberation_comments_recommendation')

    op.drop_table('deliberation_comments')
    op.drop_table('council_settings')
