from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Dashboards and reports")

    def ready(self):
        from django.urls import reverse_lazy

        from core import navigation

        navigation.register(
            navigation.NavItem(key="reports", label=_("Reports"), url=reverse_lazy("reports:index"), order=90)
        )
        from core import dashboard
        from reports.views.dashboard import panel_context

        # First on the home page: the supervisor's or the officer's dashboard.
        dashboard.register(
            dashboard.Panel("qms-dashboard", "reports/dashboard/_panel.html", panel_context, order=5)
        )
