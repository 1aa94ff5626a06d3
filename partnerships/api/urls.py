from django.urls import include, path
from rest_framework.routers import SimpleRouter

from partnerships.api.auth import TokenView
from partnerships.api.organizations import OrganizationViewSet
from partnerships.api.partnerships import PartnershipViewSet
from partnerships.api.users import UserViewSet

router = SimpleRouter()
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("users", UserViewSet, basename="user")
router.register("partnerships", PartnershipViewSet, basename="partnership")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    *router.urls,
    path("", include("partnerships.api.urls_audit")),
]
