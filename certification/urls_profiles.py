"""/qms/ URLs of the QMS profiles part: the profile of each unit, its decisions, and the version
transition boards."""

from django.urls import path

from certification.views import profiles

urlpatterns = [
    path("", profiles.profile_list, name="profile_list"),
    path("unit/<int:unit_pk>/profile/new/", profiles.profile_create, name="profile_create"),
    path("<int:pk>/", profiles.profile_detail, name="profile_detail"),
    path("<int:pk>/edit/", profiles.profile_update, name="profile_update"),
    path("unit/<int:unit_pk>/decisions/new/", profiles.decision_create, name="decision_create"),
    path("decisions/<int:pk>/", profiles.decision_detail, name="decision_detail"),
    path("decisions/<int:pk>/file/", profiles.decision_file, name="decision_file"),
    path("decisions/<int:pk>/attach/", profiles.decision_attach, name="decision_attach"),
    path("transitions/", profiles.transition_list, name="transition_list"),
    path("transitions/new/", profiles.transition_create, name="transition_create"),
    path("transitions/<int:pk>/", profiles.transition_detail, name="transition_detail"),
    path("transitions/<int:pk>/edit/", profiles.transition_update, name="transition_update"),
    path("transitions/<int:pk>/delete/", profiles.transition_delete, name="transition_delete"),
]
