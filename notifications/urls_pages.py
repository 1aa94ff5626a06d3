from django.urls import path

from notifications.views import home

urlpatterns = [
    path("home/", home.home, name="home"),
]
