from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.urls import reverse_lazy

        from core import navigation

        navigation.register(
            navigation.NavItem(
                key="dashboard", label=_("Dashboard"), url=reverse_lazy("core:dashboard"), order=0
            )
        )
