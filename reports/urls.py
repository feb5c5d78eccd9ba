"""Pages of the reports app (namespace "reports", under /reports/)."""

from reports import urls_compare, urls_dashboard, urls_exports

app_name = "reports"
urlpatterns = urls_dashboard.urlpatterns + urls_exports.urlpatterns + urls_compare.urlpatterns
