from django.urls import path

from notifications.views import home

app_name = "notifications"

urlpatterns = [
    path("home/", home.home, name="home"),
]
