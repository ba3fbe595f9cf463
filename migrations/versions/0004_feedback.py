"""feedback posts and suggested replies

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-28 16:47:52.963076
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0004'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('feedback_posts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=False),
    sa.Column('author_hash', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('lang', sa.String(length=8), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('explicit_incident', sa.Boolean(), nullable=False),
    sa.Column('incident_id', sa.String(length=32), nullable=True),
    sa.Column('link_confidence', sa.Double(), nullable=True),
    sa.Column('label', sa.String(length=16), nullable=True),
    sa.Column('score', sa.Double(), nullable=True),
    sa.Column('concern', sa.String(length=32), nullable=True),
    sa.Column('model', sa.String(length=64), nullable=True),
    sa.Column('scored_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_feedback_posts_incident_id_incidents'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_posts')),
    sa.UniqueConstraint('source', 'external_id', name=op.f('uq_feedback_posts_source'))
    )
    with op.batch_alter_table('feedback_posts', schema=None) as batch_op:
        batch_op.create_index('ix_feedback_posts_incident_time', ['incident_id', 'created_at'], unique=False)
        batch_op.create_index('ix_feedback_posts_unscored', ['scored_at', 'id'], unique=False)

    op.create_table('feedback_replies',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.String(length=32), nullable=True),
    sa.Column('concern', sa.String(length=32), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('facts', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.String(length=200), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['post_id'], ['feedback_posts.id'], name=op.f('fk_feedback_replies_post_id_feedback_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_replies'))
    )
    with op.batch_alter_table('feedback_replies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_replies_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_replies_post_id'), ['post_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_replies_state'), ['state'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('feedback_replies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_replies_state'))
        batch_op.drop_index(batch_op.f('ix_feedback_replies_post_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_replies_incident_id'))

    op.drop_table('feedback_replies')
    with op.batch_alter_table('feedback_posts', schema=None) as batch_op:
        batch_op.drop_index('ix_feedback_posts_unscored')
        batch_op.drop_index('ix_feedback_posts_incident_time')

    op.drop_table('feedback_posts')
