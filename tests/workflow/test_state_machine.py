"""Every legal and every illegal transition of the approval state machine."""

import itertools

import pytest

from service.domain.draft import DraftState
from service.errors import ConflictError
from service.workflow import OPEN, TERMINAL, TRANSITIONS, Action, next_state

LEGAL = {
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
    (Action.reject, DraftState.draft): DraftState.rejected,
    (Action.reject, DraftState.in_review): DraftState.rejected,
    (Action.reject, DraftState.changes_requested): DraftState.rejected,
    (Action.reject, DraftState.approved): DraftState.rejected,
    (Action.supersede, DraftState.draft): DraftState.superseded,
    (Action.supersede, DraftState.in_review): DraftState.superseded,
    (Action.supersede, DraftState.changes_requested): DraftState.superseded,
    (Action.supersede, DraftState.approved): DraftState.superseded,
}
ILLEGAL = sorted(set(itertools.product(Action, DraftState)) - set(LEGAL))


@pytest.mark.parametrize(("move", "target"), sorted(LEGAL.items()))
def test_legal_transition(move: tuple[Action, DraftState], target: DraftState) -> None:
    action, state = move
    assert next_state(state, action) is target


@pytest.mark.parametrize("move", ILLEGAL)
def test_illegal_transition_is_409(move: tuple[Action, DraftState]) -> None:
    action, state = move
    with pytest.raises(ConflictError) as raised:
        next_state(state, action)
    assert raised.value.status == 409
    assert state.value in str(raised.value)


def test_table_is_the_documented_one() -> None:
    assert TRANSITIONS == LEGAL


def test_only_approved_drafts_publish_and_closed_drafts_stay_closed() -> None:
    publishable = {s for (a, s) in TRANSITIONS if a is Action.publish}
    assert publishable == {DraftState.approved}
    assert not any(s in TERMINAL for (_, s) in TRANSITIONS)
    assert set(DraftState) == OPEN | TERMINAL
