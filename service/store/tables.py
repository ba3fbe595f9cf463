"""The relational schema; the Alembic migrations in `migrations/` are generated from it."""

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from service.store.types import JSONValue, UTCDateTime, utcnow

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSONValue,
        list[str]: JSONValue,
    }


ID = String(32)


class ComponentRow(Base):
    __tablename__ = "components"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer, default=0)
    showcase: Mapped[bool] = mapped_column(Boolean, default=True)
    only_show_if_degraded: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class IncidentComponentRow(Base):
    """Which components an incident affects."""

    __tablename__ = "incident_components"

    incident_id: Mapped[str] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    component_id: Mapped[str] = mapped_column(
        ForeignKey("components.id", ondelete="CASCADE"), primary_key=True
    )


class IncidentRow(Base):
    __tablename__ = "incidents"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(32), index=True)
    impact_override: Mapped[str | None] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(4))
    kind: Mapped[str] = mapped_column(String(32))
    facts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    languages: Mapped[list[str]] = mapped_column(default=list)
    audiences: Mapped[list[str]] = mapped_column(default=list)
    next_update_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    monitoring_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    scheduled_for: Mapped[datetime | None] = mapped_column(index=True)
    scheduled_until: Mapped[datetime | None]
    postmortem_body: Mapped[str | None] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer, default=1)

    components: Mapped[list[ComponentRow]] = relationship(
        secondary="incident_components", order_by=ComponentRow.position, lazy="selectin"
    )
    updates: Mapped[list["IncidentUpdateRow"]] = relationship(
        back_populates="incident",
        order_by="IncidentUpdateRow.display_at.desc()",
        lazy="selectin",
        cascade="all, delete-orphan",
    )


class IncidentUpdateRow(Base):
    """A published public update (Statuspage's incident_update). Written only by publishing."""

    __tablename__ = "incident_updates"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    incident_id: Mapped[str] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="en")
    affected_components: Mapped[list[Any]] = mapped_column(JSONValue, default=list)
    deliver_notifications: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    display_at: Mapped[datetime] = mapped_column(default=utcnow)

    incident: Mapped[IncidentRow] = relationship(back_populates="updates")


class IncidentEventRow(Base):
    """One entry of an incident's timeline: what happened, when, by whom."""

    __tablename__ = "incident_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class AlertRow(Base):
    """The latest state of one alert (by source fingerprint) folded into an incident."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("incident_id", "source", "fingerprint"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(String(32))
    fingerprint: Mapped[str] = mapped_column(String(200))
    group_key: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(500))
    severity: Mapped[str] = mapped_column(String(4))
    labels: Mapped[dict[str, Any]] = mapped_column(default=dict)
    annotations: Mapped[dict[str, Any]] = mapped_column(default=dict)
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    first_received_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_received_at: Mapped[datetime] = mapped_column(default=utcnow)
    received_count: Mapped[int] = mapped_column(Integer, default=1)


Index("ix_alerts_source_fingerprint", AlertRow.source, AlertRow.fingerprint)


class AlertKeyRow(Base):
    """Routes a dedup key (group key or fingerprint) to the one open incident it belongs to.

    The unique constraint makes two concurrent deliveries of one alert fold into one incident.
    Rows are removed when their incident resolves, so a later firing opens a new incident.
    """

    __tablename__ = "alert_keys"
    __table_args__ = (UniqueConstraint("source", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(500))
    incident_id: Mapped[str] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )


class ProposalRow(Base):
    """A change intake suggests (e.g. resolve after the alert cleared); a human decides."""

    __tablename__ = "proposals"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    incident_id: Mapped[str] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(32))
    target_status: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(200))


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


class AuditRow(Base):
    """Append-only: a database trigger (see the migration) refuses UPDATE and DELETE."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64), index=True)
    digest_before: Mapped[str | None] = mapped_column(String(64))
    digest_after: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class DraftRow(Base):
    """A requested update for one incident; text lives in revisions, state moves by workflow."""

    __tablename__ = "drafts"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    incident_id: Mapped[str] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(32), index=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    current_revision: Mapped[int] = mapped_column(Integer, default=1)

    revisions: Mapped[list["DraftRevisionRow"]] = relationship(
        back_populates="draft",
        order_by="DraftRevisionRow.number",
        lazy="selectin",
        cascade="all, delete-orphan",
    )


class DraftRevisionRow(Base):
    """One immutable version of a draft's text: every rendition, its guard report and provenance."""

    __tablename__ = "draft_revisions"
    __table_args__ = (UniqueConstraint("draft_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    draft_id: Mapped[str] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    renditions: Mapped[list[Any]] = mapped_column(JSONValue, default=list)
    provenance: Mapped[dict[str, Any]] = mapped_column(default=dict)
    next_update_at: Mapped[datetime | None]
    eta_at: Mapped[datetime | None]
    consistency: Mapped[list[Any]] = mapped_column(JSONValue, default=list)
    passed: Mapped[bool] = mapped_column(Boolean)
    rules_version: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))
    diff: Mapped[str | None] = mapped_column(Text)

    draft: Mapped[DraftRow] = relationship(back_populates="revisions")


class ApprovalRow(Base):
    """A sign-off of one revision's exact text (its digest), with a waiver per remaining error."""

    __tablename__ = "approvals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    draft_id: Mapped[str] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    approver: Mapped[str] = mapped_column(String(200))
    digest: Mapped[str] = mapped_column(String(64))
    waivers: Mapped[list[Any]] = mapped_column(JSONValue, default=list)
    self_approved: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    voided_at: Mapped[datetime | None]


class ChannelTargetRow(Base):
    """A configured destination: a chat robot, a partner webhook (admin-managed)."""

    __tablename__ = "channel_targets"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200), unique=True)
    address: Mapped[str] = mapped_column(Text)
    secret: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeliveryRow(Base):
    """The outbox: one approved rendition to one recipient, written when publishing."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    draft_id: Mapped[str] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    incident_id: Mapped[str] = mapped_column(String(32), index=True)
    update_id: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    target_kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    receipt: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]


class FeedbackPostRow(Base):
    """A customer post about an incident; stored unscored, scored later by a worker."""

    __tablename__ = "feedback_posts"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        # Claims and the backlog count walk unscored rows in arrival order.
        Index("ix_feedback_posts_unscored", "scored_at", "id"),
        Index("ix_feedback_posts_incident_time", "incident_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(200))
    author_hash: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    lang: Mapped[str | None] = mapped_column(String(8))
    url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    explicit_incident: Mapped[bool] = mapped_column(Boolean, default=False)
    incident_id: Mapped[str | None] = mapped_column(ForeignKey("incidents.id", ondelete="SET NULL"))
    link_confidence: Mapped[float | None]
    label: Mapped[str | None] = mapped_column(String(16))
    score: Mapped[float | None]
    concern: Mapped[str | None] = mapped_column(String(32))
    model: Mapped[str | None] = mapped_column(String(64))
    scored_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]


class FeedbackReplyRow(Base):
    """A suggested answer to one post: pending until an approver decides; never sent by Herald."""

    __tablename__ = "feedback_replies"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    post_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_posts.id", ondelete="CASCADE"), index=True
    )
    incident_id: Mapped[str | None] = mapped_column(String(32), index=True)
    concern: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    body: Mapped[str] = mapped_column(Text)
    facts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None]
    comment: Mapped[str | None] = mapped_column(Text)


class SubscriberRow(Base):
    """A public subscriber (email, SMS or webhook). The address is never logged or listed whole."""

    __tablename__ = "subscribers"
    __table_args__ = (UniqueConstraint("kind", "address_hash"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(Text)
    address_hash: Mapped[str] = mapped_column(String(64))
    secret: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    component_ids: Mapped[list[str]] = mapped_column(default=list)
    state: Mapped[str] = mapped_column(String(16), index=True)
    code_attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmation_sent_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    unsubscribed_at: Mapped[datetime | None]


class SubscriberTokenRow(Base):
    """A confirm or unsubscribe token (or SMS code), stored only as a SHA-256 hash."""

    __tablename__ = "subscriber_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[str] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class ConfirmationRow(Base):
    """Outbox of subscription confirmations; the worker mints the token when it sends."""

    __tablename__ = "subscriber_confirmations"
    __table_args__ = (Index("ix_subscriber_confirmations_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    subscriber_id: Mapped[str] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    receipt: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]


class PublishedTitleRow(Base):
    """The approved status-page title published with one incident update (the public name)."""

    __tablename__ = "published_titles"

    update_id: Mapped[str] = mapped_column(
        ForeignKey("incident_updates.id", ondelete="CASCADE"), primary_key=True
    )
    title: Mapped[str] = mapped_column(Text)


class MaintenanceDraftRow(Base):
    """What a maintenance draft is for: the notice, a reminder, or a status transition."""

    __tablename__ = "maintenance_drafts"

    draft_id: Mapped[str] = mapped_column(
        ForeignKey("drafts.id", ondelete="CASCADE"), primary_key=True
    )
    incident_id: Mapped[str] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(16))
    target_status: Mapped[str] = mapped_column(String(32))
    window_start: Mapped[datetime | None]
    late_notice: Mapped[str | None] = mapped_column(String(16))
    late_notice_by: Mapped[str | None] = mapped_column(String(200))
    late_notice_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PromiseRow(Base):
    """A time Herald owes the public: a first notice, a next update, an ETA, a maintenance notice.

    Made when an update is published (or an incident opens); settled kept or missed by the
    publication that fulfils it or by the cadence clock when its deadline passes.
    """

    __tablename__ = "promises"
    __table_args__ = (Index("ix_promises_state_due", "state", "due_at"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    incident_id: Mapped[str] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(24))
    state: Mapped[str] = mapped_column(String(16))
    severity: Mapped[str] = mapped_column(String(4))
    due_at: Mapped[datetime]
    made_at: Mapped[datetime]
    made_by_draft: Mapped[str | None] = mapped_column(String(32))
    settled_at: Mapped[datetime | None]
    fulfilled_at: Mapped[datetime | None]
    fulfilled_by_draft: Mapped[str | None] = mapped_column(String(32))
    reminded_at: Mapped[datetime | None]
    reminder_draft_id: Mapped[str | None] = mapped_column(String(32))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
