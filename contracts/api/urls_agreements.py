from rest_framework.routers import SimpleRouter

from contracts.api.agreements import AgreementTransitionViewSet, AgreementViewSet
from contracts.api.agreements_amendments import AmendmentViewSet
from contracts.api.agreements_documents import DocumentViewSet
from contracts.api.agreements_parts import MilestoneViewSet, PhaseViewSet

router = SimpleRouter()
router.register("agreements", AgreementViewSet, basename="agreement")
# What hangs off one agreement; the parent is looked up among the agreements the person sees.
nested = r"agreements/(?P<agreement_id>\d+)"
router.register(f"{nested}/transitions", AgreementTransitionViewSet, basename="agreement-transition")
router.register(f"{nested}/amendments", AmendmentViewSet, basename="agreement-amendment")
router.register(f"{nested}/phases", PhaseViewSet, basename="agreement-phase")
router.register(f"{nested}/milestones", MilestoneViewSet, basename="agreement-milestone")
router.register(f"{nested}/documents", DocumentViewSet, basename="agreement-document")

urlpatterns = router.urls
