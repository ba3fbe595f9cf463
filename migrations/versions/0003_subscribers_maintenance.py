"""subscribers, confirmation outbox, published titles, maintenance drafts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 10:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('subscribers',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('address_hash', sa.String(length=64), nullable=False),
    sa.Column('secret', sa.Text(), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('component_ids', JSON, nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('code_attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmation_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('unsubscribed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscribers')),
    sa.UniqueConstraint('kind', 'address_hash', name=op.f('uq_subscribers_kind'))
    )
    with op.batch_alter_table('subscribers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subscribers_state'), ['state'], unique=False)

    op.create_table('subscriber_tokens',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('subscriber_id', sa.String(length=32), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['subscriber_id'], ['subscribers.id'], name=op.f('fk_subscriber_tokens_subscriber_id_subscribers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscriber_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_subscriber_tokens_token_hash'))
    )
    with op.batch_alter_table('subscriber_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subscriber_tokens_subscriber_id'), ['subscriber_id'], unique=False)

    op.create_table('subscriber_confirmations',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('idempotency_key', sa.String(length=128), nullable=False),
    sa.Column('subscriber_id', sa.String(length=32), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('receipt', JSON, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['subscriber_id'], ['subscribers.id'], name=op.f('fk_subscriber_confirmations_subscriber_id_subscribers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscriber_confirmations')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_subscriber_confirmations_idempotency_key'))
    )
    with op.batch_alter_table('subscriber_confirmations', schema=None) as batch_op:
        batch_op.create_index('ix_subscriber_confirmations_due', ['state', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_subscriber_confirmations_subscriber_id'), ['subscriber_id'], unique=False)

    op.create_table('published_titles',
    sa.Column('update_id', sa.String(length=32), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['update_id'], ['incident_updates.id'], name=op.f('fk_published_titles_update_id_incident_updates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('update_id', name=op.f('pk_published_titles'))
    )
    op.create_table('maintenance_drafts',
    sa.Column('draft_id', sa.String(length=32), nullable=False),
    sa.Column('incident_id', sa.String(length=32), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('target_status', sa.String(length=32), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=True),
    sa.Column('late_notice', sa.String(length=16), nullable=True),
    sa.Column('late_notice_by', sa.String(length=200), nullable=True),
    sa.Column('late_notice_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], name=op.f('fk_maintenance_drafts_draft_id_drafts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_maintenance_drafts_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('draft_id', name=op.f('pk_maintenance_drafts'))
    )
    with op.batch_alter_table('maintenance_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_maintenance_drafts_incident_id'), ['incident_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('maintenance_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_maintenance_drafts_incident_id'))
    op.drop_table('maintenance_drafts')
    op.drop_table('published_titles')
    with op.batch_alter_table('subscriber_confirmations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subscriber_confirmations_subscriber_id'))
        batch_op.drop_index('ix_subscriber_confirmations_due')
    op.drop_table('subscriber_confirmations')
    with op.batch_alter_table('subscriber_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subscriber_tokens_subscriber_id'))
    op.drop_table('subscriber_tokens')
    with op.batch_alter_table('subscribers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subscribers_state'))
    op.drop_table('subscribers')
