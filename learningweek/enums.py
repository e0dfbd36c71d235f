"""Enumerations shared between features (a leaf module: it imports nothing of ours)."""

from enum import StrEnum


class RoomKind(StrEnum):
    PHYSICAL = "physical"
    ONLINE = "online"

    @classmethod
    def values(cls) -> set[str]:
        return {member.value for member in cls}

    @property
    def label(self) -> str:
        return {RoomKind.PHYSICAL: "Physical room", RoomKind.ONLINE: "Online room"}[self]


class Equipment(StrEnum):
    """Room equipment; sessions ask for the same tags."""

    PROJECTOR = "projector"
    VIDEO = "video"
    WHITEBOARD = "whiteboard"
    SCREEN = "screen"
    MICROPHONE = "microphone"
    LAPTOPS = "laptops"

    @property
    def label(self) -> str:
        return {
            Equipment.PROJECTOR: "Projector",
            Equipment.VIDEO: "Video conferencing",
            Equipment.WHITEBOARD: "Whiteboard",
            Equipment.SCREEN: "Large screen",
            Equipment.MICROPHONE: "Microphone",
            Equipment.LAPTOPS: "Laptops for attendees",
        }[self]


class SessionFormat(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"

    @property
    def label(self) -> str:
        return {
            SessionFormat.IN_PERSON: "In person",
            SessionFormat.ONLINE: "Online",
            SessionFormat.HYBRID: "Hybrid",
        }[self]


class Level(StrEnum):
    INTRODUCTORY = "introductory"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ProposalStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES


FINAL_STATUSES = frozenset(
    {ProposalStatus.REJECTED, ProposalStatus.WITHDRAWN, ProposalStatus.CANCELLED}
)


class ResourceKind(StrEnum):
    ARTICLE = "article"
    VIDEO = "video"
    COURSE = "course"
    BOOK = "book"
    TOOL = "tool"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ResourceTiming(StrEnum):
    BEFORE = "before"
    AFTER = "after"

    @property
    def label(self) -> str:
        return {ResourceTiming.BEFORE: "Before the session", ResourceTiming.AFTER: "After it"}[self]


class NotificationKind(StrEnum):
    PROPOSAL_ACCEPTED = "proposal_accepted"
    PROPOSAL_REJECTED = "proposal_rejected"
    CHANGES_REQUESTED = "changes_requested"
    SESSION_CANCELLED = "session_cancelled"
    RUN_MOVED = "run_moved"
    RUN_CANCELLED = "run_cancelled"
