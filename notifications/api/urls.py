from django.urls import include, path
from rest_framework.routers import SimpleRouter

from notifications.api.alerts import AlertViewSet
from notifications.api.channels import ChannelViewSet, EscalationPolicyViewSet
from notifications.api.inbox import InboxViewSet
from notifications.api.silences import SilenceViewSet

router = SimpleRouter()
router.register("alerts", AlertViewSet, basename="alert")
router.register("notifications", InboxViewSet, basename="notification")
router.register("silences", SilenceViewSet, basename="silence")
router.register("channels", ChannelViewSet, basename="channel")
router.register("escalation-policies", EscalationPolicyViewSet, basename="escalation-policy")

urlpatterns = [
    *router.urls,
    path("", include("notifications.api.urls_accountability")),
]
