from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = _("Audits, actions, reviews and inspections")

    def ready(self):
        from django.urls import reverse_lazy

        from audits.services import carry_over
        from core import navigation, reorganisation

        reorganisation.register(carry_over.CARRY_OVER)  # what a merged unit takes over

        navigation.register(
            navigation.NavItem(
                key="audits", label=_("Audits"), url=reverse_lazy("audits:audit_list"), order=40
            )
        )
        navigation.register(
            navigation.NavItem(
                key="actions",
                label=_("Corrective actions"),
                url=reverse_lazy("actions:nonconformity_list"),
                order=50,
            )
        )
