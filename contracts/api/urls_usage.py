from django.urls import path

from contracts.api.usage_declarations import DeclarationDetail, DeclarationDuties, DeclarationListCreate
from contracts.api.usage_events import UsageEventIngest
from contracts.api.usage_upload import DeclarationUpload

urlpatterns = [
    path("declarations/", DeclarationListCreate.as_view(), name="declaration-list"),
    path("declarations/duties/", DeclarationDuties.as_view(), name="declaration-duties"),
    path("declarations/upload/", DeclarationUpload.as_view(), name="declaration-upload"),
    path("declarations/<int:pk>/", DeclarationDetail.as_view(), name="declaration-detail"),
    path("usage-events/", UsageEventIngest.as_view(), name="usage-event-ingest"),
]
