"""The main navigation: each app registers its entries in AppConfig.ready().

An entry is shown only when its `visible(user)` says the user may open it, so the menu never
offers a page that would answer 403 or 404.
"""

from collections.abc import Callable
from dataclasses import dataclass


def _authenticated(user) -> bool:
    return user.is_authenticated


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url: str
    order: int = 100
    visible: Callable = _authenticated
    icon: str = ""


_registry: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    _registry[item.key] = item


def items_for(user) -> list[NavItem]:
    return sorted((i for i in _registry.values() if i.visible(user)), key=lambda i: i.order)
