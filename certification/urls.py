"""/qms/: the QMS profile, decisions and version transitions (urls_profiles), quality
objectives and indicators (urls_objectives), annual scoring (urls_scoring). One namespace,
e.g. certification:profile_detail."""

from certification import urls_objectives, urls_profiles, urls_scoring

app_name = "certification"

urlpatterns = urls_profiles.urlpatterns + urls_objectives.urlpatterns + urls_scoring.urlpatterns
