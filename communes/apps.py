from django.apps import AppConfig
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _


class CommunesConfig(AppConfig):
    name = "communes"
    verbose_name = _("Units and people")

    def ready(self):
        from communes import selectors
        from core import dashboard, navigation

        navigation.register(
            navigation.NavItem(
                key="units", label=_("Units"), url=reverse_lazy("communes:unit_list"), order=10
            )
        )
        navigation.register(
            navigation.NavItem(
                key="admin",
                label=_("Administration"),
                url=reverse_lazy("admin:index"),
                order=1000,
                visible=lambda user: user.is_authenticated and user.is_staff,
            )
        )

        def units_panel(request):
            return {
                "summary": selectors.dashboard_summary(request.user),
                "memberships": selectors.memberships_of(request.user),
            }

        dashboard.register(dashboard.Panel("units", "communes/_dashboard_units.html", units_panel, order=10))
