from django.urls import path

from partnerships.views import auth, membership

app_name = "partnerships"

urlpatterns = [
    path("", auth.login, name="login"),
    path("logout/", auth.logout, name="logout"),
    path("membership/", membership.membership_switch, name="membership-switch"),
]
