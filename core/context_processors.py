from core import navigation as nav


def navigation(request):
    """The menu entries this user may open."""
    user = getattr(request, "user", None)
    return {"nav_items": nav.items_for(user) if user is not None else []}
