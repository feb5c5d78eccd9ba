"""/qms/ URLs of the quality objectives part (ISO 9001:2015 §6.2, §9.1)."""

from django.urls import path

from certification.views import objectives

urlpatterns = [
    path("objectives/", objectives.objective_list, name="objective_list"),
    path("objectives/copy/", objectives.objectives_copy, name="objectives_copy"),
    path("objectives/new/", objectives.objective_create, name="objective_create"),
    path("objectives/<int:pk>/", objectives.objective_detail, name="objective_detail"),
    path("objectives/<int:pk>/edit/", objectives.objective_update, name="objective_update"),
    path("objectives/<int:pk>/delete/", objectives.objective_delete, name="objective_delete"),
    path("objectives/<int:pk>/indicators/new/", objectives.indicator_create, name="indicator_create"),
    path("indicators/flagged/", objectives.flagged_list, name="flagged_list"),
    path("indicators/<int:pk>/edit/", objectives.indicator_update, name="indicator_update"),
    path("indicators/<int:pk>/delete/", objectives.indicator_delete, name="indicator_delete"),
    path("indicators/<int:pk>/measure/", objectives.measurement_record, name="measurement_record"),
    path("indicators/<int:pk>/flag/", objectives.indicator_flag, name="indicator_flag"),
    path("indicators/<int:pk>/unflag/", objectives.indicator_unflag, name="indicator_unflag"),
]
