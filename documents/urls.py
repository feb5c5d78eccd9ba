from django.urls import path

from documents.views import documents as views

app_name = "documents"

urlpatterns = [
    path("", views.DocumentListView.as_view(), name="document_list"),
    path("new/", views.DocumentCreateView.as_view(), name="document_create"),
    path("<int:pk>/", views.DocumentDetailView.as_view(), name="document_detail"),
    path("<int:pk>/edit/", views.DocumentUpdateView.as_view(), name="document_update"),
    path("<int:pk>/withdraw/", views.document_withdraw, name="document_withdraw"),
    path("<int:pk>/review/", views.document_review, name="document_review"),
    path("<int:pk>/revisions/new/", views.revision_create, name="revision_create"),
    path("revisions/<int:pk>/edit/", views.revision_update, name="revision_update"),
    path("revisions/<int:pk>/files/", views.revision_upload, name="revision_upload"),
    path("revisions/<int:pk>/submit/", views.revision_submit, name="revision_submit"),
    path("revisions/<int:pk>/return/", views.revision_return, name="revision_return"),
    path("revisions/<int:pk>/approve/", views.revision_approve, name="revision_approve"),
    path("files/<int:pk>/", views.file_download, name="file_download"),
    path("files/<int:pk>/delete/", views.file_delete, name="file_delete"),
    path("tasks/", views.TaskListView.as_view(), name="task_list"),
    path("models/", views.ModelListView.as_view(), name="model_list"),
    path("models/<int:pk>/adopt/", views.model_adopt, name="model_adopt"),
    path("models/<int:pk>/not-applicable/", views.model_not_applicable, name="model_not_applicable"),
]
