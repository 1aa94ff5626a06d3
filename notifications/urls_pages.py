from django.urls import path

from notifications.views import alerts, channels, home, policies, silences

app_name = "notifications"

urlpatterns = [
    path("home/", home.home, name="home"),
    path("alerts/", alerts.alert_list, name="alert-list"),
    path("alerts/<int:pk>/", alerts.alert_detail, name="alert-detail"),
    path("alerts/<int:pk>/<str:answer>/", alerts.alert_answer, name="alert-answer"),
    path("silences/", silences.silence_list, name="silence-list"),
    path("silences/new/", silences.silence_create_view, name="silence-create"),
    path("channels/", channels.channel_list, name="channel-list"),
    path("channels/<int:pk>/test/", channels.channel_test, name="channel-test"),
    path("escalation/", policies.policy_list, name="policy-list"),
]
