from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    name = "certification"
    verbose_name = _("QMS profiles, objectives and scoring")

    def ready(self):
        from django.urls import reverse_lazy

        from certification.services import carry_over
        from core import navigation, reorganisation

        reorganisation.register(carry_over.CARRY_OVER)  # what a merged unit takes over

        navigation.register(
            navigation.NavItem(
                key="qms", label=_("QMS"), url=reverse_lazy("certification:profile_list"), order=25
            )
        )
        navigation.register(
            navigation.NavItem(
                key="objectives",
                label=_("Objectives"),
                url=reverse_lazy("certification:objective_list"),
                order=60,
            )
        )
        navigation.register(
            navigation.NavItem(
                key="scoring", label=_("Scoring"), url=reverse_lazy("certification:round_list"), order=70
            )
        )
