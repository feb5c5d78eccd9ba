"""The standard versions the project ships with; later versions are added as data."""

VERSIONS = (
    # (code, title, sort order)
    ("TCVN ISO 9001:2008", "Hệ thống quản lý chất lượng – Các yêu cầu (2008)", 10),
    ("TCVN ISO 9001:2015", "Hệ thống quản lý chất lượng – Các yêu cầu (2015)", 20),
)


def load_versions(version_model) -> int:
    """Create the shipped versions that are missing; returns how many were created."""
    created = 0
    for code, title, sort_order in VERSIONS:
        _, was_created = version_model.objects.get_or_create(
            code=code, defaults={"title": title, "sort_order": sort_order}
        )
        created += was_created
    return created
