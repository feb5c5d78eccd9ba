"""Dashboard panels: each app registers what it shows on the home page in AppConfig.ready().

A panel renders its own template with the context its function returns; a function that
returns None hides the panel for that request (e.g. the user has no unit in scope).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context: Callable  # (request) -> dict | None
    order: int = 100


_registry: dict[str, Panel] = {}


def register(panel: Panel) -> None:
    _registry[panel.key] = panel


def panels_for(request) -> list[str]:
    rendered = []
    for panel in sorted(_registry.values(), key=lambda p: p.order):
        context = panel.context(request)
        if context is not None:
            rendered.append(render_to_string(panel.template, context, request=request))
    return rendered
