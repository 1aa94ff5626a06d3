from django.urls import path

from notifications.api.accountability import AgreementAccountabilityView

urlpatterns = [
    path("agreements/<int:pk>/accountability/", AgreementAccountabilityView.as_view(), name="agreement-accountability"),
]
