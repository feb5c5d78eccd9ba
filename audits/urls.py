"""/audits/: programmes, audits, checklists and findings (urls_audits), management reviews and
inspections (urls_reviews). Names live in one namespace, e.g. audits:audit_detail."""

from audits import urls_audits, urls_reviews

app_name = "audits"

urlpatterns = urls_audits.urlpatterns + urls_reviews.urlpatterns
