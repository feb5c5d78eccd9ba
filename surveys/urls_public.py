"""/survey/: the public satisfaction survey of a unit (no login; see surveys/views/public.py)."""

from django.urls import path

from surveys.views import public

app_name = "survey"

urlpatterns = [
    path("<int:unit_pk>/", public.survey_form, name="form"),
    path("<int:unit_pk>/thanks/", public.survey_thanks, name="thanks"),
    path("<int:unit_pk>/procedures/", public.survey_procedures, name="procedures"),
]
