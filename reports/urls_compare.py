"""/reports/compare/: objectives, indicators, audit results and scores side by side across units."""

from django.urls import path

from reports.views import compare

urlpatterns = [
    path("compare/", compare.compare, name="compare"),
]
