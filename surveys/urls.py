"""Staff pages of the surveys app (namespace "surveys"): satisfaction results and one-stop records."""

from surveys import urls_records, urls_satisfaction

app_name = "surveys"
urlpatterns = urls_satisfaction.urlpatterns + urls_records.urlpatterns
