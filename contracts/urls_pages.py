from django.urls import include, path

from contracts.views import agreements, declarations, duties, grants, matrix, parts, uploads

app_name = "contracts"

urlpatterns = [
    path("agreements/", agreements.agreement_list, name="agreement-list"),
    path("agreements/new/", agreements.agreement_create_view, name="agreement-create"),
    path("agreements/<int:pk>/", agreements.agreement_detail, name="agreement-detail"),
    path("agreements/<int:pk>/edit/", agreements.agreement_edit, name="agreement-edit"),
    path("agreements/<int:pk>/status/", agreements.agreement_transition_view, name="agreement-transition"),
    path("agreements/<int:pk>/grants/new/", grants.grant_create, name="grant-create"),
    path("agreements/<int:pk>/responsibilities/new/", matrix.responsibility_create, name="responsibility-create"),
    path("agreements/<int:pk>/phases/", parts.phase_edit, name="phase-edit"),
    path("agreements/<int:pk>/milestones/new/", parts.milestone_create, name="milestone-create"),
    path("grants/<int:pk>/", grants.grant_detail, name="grant-detail"),
    path("grants/<int:pk>/status/", grants.grant_status, name="grant-status"),
    path("duties/", duties.duty_list, name="duty-list"),
    path("declarations/", declarations.declaration_list, name="declaration-list"),
    path("declarations/new/", declarations.declaration_create, name="declaration-create"),
    path("declarations/<int:pk>/", declarations.declaration_detail, name="declaration-detail"),
    path("upload/", uploads.upload, name="upload"),
    path("grant-requests/", include("contracts.urls_grant_request_pages")),
]
