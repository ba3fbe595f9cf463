"""The approval state machine: one table of legal moves, nothing else decides a draft's state.

draft ──submit──▶ in_review ──approve──▶ approved ──publish──▶ published
  │                 │   ▲                  │
  │                 │   └──────edit────────┘   (an edit voids the approval)
  │                 ├─request_changes──▶ changes_requested ──submit──▶ in_review
  └──────reject / supersede (from any open state)──▶ rejected | superseded
"""

from enum import StrEnum

from service.domain.draft import DraftState
from service.errors import ConflictError, FieldProblem


class Action(StrEnum):
    submit = "submit"
    approve = "approve"
    request_changes = "request_changes"
    reject = "reject"
    edit = "edit"
    publish = "publish"
    supersede = "supersede"


OPEN: frozenset[DraftState] = frozenset(
    {DraftState.draft, DraftState.in_review, DraftState.changes_requested, DraftState.approved}
)
TERMINAL: frozenset[DraftState] = frozenset(
    {DraftState.published, DraftState.rejected, DraftState.superseded}
)

# (action, from) → to. An edit keeps a draft where it is, but sends an approved draft back
# to review: approval binds to the exact text that was approved.
TRANSITIONS: dict[tuple[Action, DraftState], DraftState] = {
    (Action.submit, DraftState.draft): DraftState.in_review,
    (Action.submit, DraftState.changes_requested): DraftState.in_review,
    (Action.approve, DraftState.in_review): DraftState.approved,
    (Action.request_changes, DraftState.in_review): DraftState.changes_requested,
    (Action.request_changes, DraftState.approved): DraftState.changes_requested,
    (Action.edit, DraftState.draft): DraftState.draft,
    (Action.edit, DraftState.in_review): DraftState.in_review,
    (Action.edit, DraftState.changes_requested): DraftState.changes_requested,
    (Action.edit, DraftState.approved): DraftState.in_review,
    (Action.publish, DraftState.approved): DraftState.published,
    **{(Action.reject, state): DraftState.rejected for state in OPEN},
    **{(Action.supersede, state): DraftState.superseded for state in OPEN},
}


def next_state(state: DraftState, action: Action) -> DraftState:
    """The state `action` leads to from `state`, or a 409 naming what is allowed instead."""
    target = TRANSITIONS.get((action, state))
    if target is None:
        allowed = sorted(a.value for (a, s) in TRANSITIONS if s is state)
        hint = f"allowed now: {', '.join(allowed)}" if allowed else "the draft is closed"
        raise ConflictError(
            f"cannot {action.value} a draft that is {state.value} ({hint})",
            [FieldProblem("state", f"is {state.value}")],
        )
    return target
