"""/surveys/: satisfaction results, the online responses, the QR poster of a unit's survey."""

from django.urls import path

from surveys.views import poster, results

urlpatterns = [
    path("", results.results, name="results"),
    path("responses/", results.ResponseListView.as_view(), name="response_list"),
    path("responses/<int:pk>/raise/", results.response_raise, name="response_raise"),
    path("poster/<int:unit_pk>/", poster.poster, name="poster"),
]
