from rest_framework.routers import SimpleRouter

from contracts.api.grants_datasets import DatasetViewSet
from contracts.api.grants_permissions import PermissionViewSet
from contracts.api.grants_responsibilities import ResponsibilityViewSet

router = SimpleRouter()
router.register("datasets", DatasetViewSet, basename="dataset")
router.register("permissions", PermissionViewSet, basename="permission")
router.register("responsibilities", ResponsibilityViewSet, basename="responsibility")

urlpatterns = router.urls
