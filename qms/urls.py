from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from core.views import healthz

admin.site.site_header = _("QMS Tracker — administration")
admin.site.site_title = _("QMS Tracker")
admin.site.index_title = _("ISO steering committee")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("units/", include("communes.urls")),
    path("documents/", include("documents.urls")),
    path("procedures/", include("documents.urls_procedures")),
    path("legal/", include("documents.urls_legal")),
    path("audits/", include("audits.urls")),
    path("actions/", include("audits.urls_actions")),
    path("qms/", include("certification.urls")),
    path("survey/", include("surveys.urls_public")),
    path("surveys/", include("surveys.urls")),
    path("reports/", include("reports.urls")),
    path("notifications/", include("reminders.urls")),
    path("", include("core.urls")),
]
