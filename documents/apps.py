from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Documents and administrative procedures")

    def ready(self):
        from django.urls import reverse_lazy

        from core import navigation

        navigation.register(
            navigation.NavItem(
                key="documents", label=_("Documents"), url=reverse_lazy("documents:document_list"), order=20
            )
        )
        navigation.register(
            navigation.NavItem(
                key="procedures", label=_("Procedures (TTHC)"), url=reverse_lazy("procedures:list"), order=30
            )
        )

        from core import dashboard, reorganisation
        from documents import selectors
        from documents.services import carry_over

        reorganisation.register(carry_over.CARRY_OVER)  # what a merged unit takes over

        dashboard.register(
            dashboard.Panel(
                "documents",
                "documents/_dashboard_documents.html",
                lambda request: {"figures": selectors.dashboard_figures(request.user)},
                order=20,
            )
        )
