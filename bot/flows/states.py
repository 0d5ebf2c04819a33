"""The stored state of each conversation: one frozen dataclass per flow, each with its step enum."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ReportStep(StrEnum):
    """The questions of report-in (报到), in order."""

    NAME = "name"
    WORKPLACE = "workplace"
    WORKPLACE_BRANCH = "workplace_branch"
    SKILLS = "skills"
    COMMITMENT = "commitment"
    EMERGENCY_POST = "emergency_post"
    GRID = "grid"
    CONFIRM = "confirm"


@dataclass(frozen=True, slots=True)
class ReportState:
    """Report-in to a branch: the answers so far, and a wish to claim once reported in.

    ``emergency_post`` and ``grid`` came later: a state stored without them reads as not answered yet."""

    branch_id: int
    branch_name: str
    step: ReportStep
    name: str = ""
    workplace: str = ""
    workplace_branch: str = ""
    skills: tuple[str, ...] = ()
    commitment: str = ""
    wish_id: int | None = None
    emergency_post: str = ""
    grid: str = ""


class DoneStep(StrEnum):
    """Reporting a claim done: the hours, then a note or photo."""

    HOURS = "hours"
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class DoneState:
    """Reporting one claim done."""

    claim_id: int
    step: DoneStep
    hours: float | None = None


class ReturnStep(StrEnum):
    """Returning a reported service: the reason."""

    REASON = "reason"


@dataclass(frozen=True, slots=True)
class ReturnState:
    """A secretary returning a claim; ``origin`` is the platform's opaque handle of the review message."""

    claim_id: int
    step: ReturnStep = ReturnStep.REASON
    origin: str = ""


class ExtendStep(StrEnum):
    """Extending a wish's deadline: the new deadline."""

    DEADLINE = "deadline"


@dataclass(frozen=True, slots=True)
class ExtendState:
    """A secretary giving a wish a new deadline (from its card's 延长截止 button)."""

    wish_id: int
    step: ExtendStep = ExtendStep.DEADLINE


class PickStep(StrEnum):
    """Waiting for a button choice."""

    PICK = "pick"


@dataclass(frozen=True, slots=True)
class WishBranchState:
    """A wish text waiting for the branch it goes to (a secretary of several branches)."""

    text: str
    step: PickStep = PickStep.PICK


class DraftStep(StrEnum):
    """What a kept wish draft is waiting for."""

    SLOTS = "slots"


@dataclass(frozen=True, slots=True)
class WishDraftState:
    """A wish text kept as a draft while one thing it did not say is asked (how many people); ``chat_id`` is the
    chat it was posted in ("" privately), on the secretary's platform."""

    branch_id: int
    text: str
    chat_id: str = ""
    step: DraftStep = DraftStep.SLOTS


@dataclass(frozen=True, slots=True)
class CommitteeState:
    """A new branch waiting for its committee: its name, its chat and the members to enroll."""

    name: str
    chat_id: str
    members: tuple[str, ...] = ()
    step: PickStep = PickStep.PICK


@dataclass(frozen=True, slots=True)
class VisitState:
    """Reporting one visit of a pairing (结对走访): the same questions as reporting a claim done."""

    pairing_id: int
    step: DoneStep
    hours: float | None = None


@dataclass(frozen=True, slots=True)
class VisitReturnState:
    """A secretary returning a reported visit (退回): the reason is asked."""

    visit_id: int
    step: ReturnStep = ReturnStep.REASON


FlowState = (
    ReportState
    | DoneState
    | ReturnState
    | WishBranchState
    | WishDraftState
    | CommitteeState
    | ExtendState
    | VisitState
    | VisitReturnState
)
