"""What a merger of units carries over: each domain app registers, in AppConfig.ready(), the open
work of a predecessor that the successor takes over (open corrective actions, document update
tasks, …). The merge workflow (communes) previews and carries them without importing any domain
app, as DESIGN.md's one-way dependencies require.

A carry-over answers two questions with a constant number of queries whatever the number of
units: what would move (`preview`: a list of `Pending` rows), and move it (`carry`: returns how
many records it carried). Carrying writes new records in the successor and links them to the
originals, which stay unchanged in the predecessor's read-only archive.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Pending:
    """One record that would be carried over."""

    unit_id: int  # the predecessor that holds it
    label: str  # plain text, e.g. "Khắc phục: Bố trí thêm cán bộ (hạn 30/09/2025)"
    url: str  # its page in the archive
    due_on: object = None  # a date, when it has one


@dataclass(frozen=True)
class CarryOver:
    key: str  # e.g. "corrective_actions"
    label: object  # a (lazy) translated heading, e.g. "Open corrective actions"
    # preview(predecessor_ids: list[int]) -> list[Pending]
    preview: Callable
    # carry(*, actor, predecessor_ids: list[int], successor, on: date) -> int (records carried)
    carry: Callable
    order: int = 100


_registry: dict[str, CarryOver] = {}


def register(carry_over: CarryOver) -> None:
    """Register a carry-over; the same one again (a second AppConfig.ready()) is a no-op, another
    one under a key already taken is an error."""
    known = _registry.get(carry_over.key)
    if known is not None and known != carry_over:
        raise ValueError(f"carry-over {carry_over.key!r} registered twice")
    _registry[carry_over.key] = carry_over


def carry_overs() -> list[CarryOver]:
    return sorted(_registry.values(), key=lambda c: (c.order, c.key))


def get(key: str) -> CarryOver | None:
    return _registry.get(key)


def unregister(key: str) -> None:
    """Forget a carry-over (tests register throwaway ones); unknown keys are ignored."""
    _registry.pop(key, None)
