from django import template

register = template.Library()


@register.filter
def person(user):
    """A user's name in Vietnamese order: family name, then given name ("Lê Thu Hà")."""
    if user is None:
        return ""
    name = f"{user.last_name} {user.first_name}".strip()
    return name or user.get_username()
