from rest_framework.routers import SimpleRouter

from contracts.api.grants_datasets import DatasetViewSet
from contracts.api.grants_permissions import PermissionViewSet

router = SimpleRouter()
router.register("datasets", DatasetViewSet, basename="dataset")
router.register("permissions", PermissionViewSet, basename="permission")

urlpatterns = router.urls
