from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Citizen satisfaction and one-stop records")

    def ready(self):
        from django.urls import reverse_lazy

        import surveys.feeds  # noqa: F401 (registers the scoring source and the review input)
        from core import navigation

        navigation.register(
            navigation.NavItem(
                key="satisfaction",
                label=_("Satisfaction"),
                url=reverse_lazy("surveys:results"),
                order=65,
            )
        )
        navigation.register(
            navigation.NavItem(
                key="records",
                label=_("One-stop records"),
                url=reverse_lazy("surveys:reconciliation"),
                order=66,
            )
        )
