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
    """Room equipment; sessions later ask for the same tags."""

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
