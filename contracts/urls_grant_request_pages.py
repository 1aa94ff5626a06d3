"""Pages of grant requests; included by contracts/urls_pages.py under grant-requests/."""

from django.urls import path

from contracts.views import grant_request_stats, grant_requests

urlpatterns = [
    path("", grant_requests.grant_request_list, name="grant-request-list"),
    path("new/", grant_requests.grant_request_create, name="grant-request-create"),
    path("stats/", grant_request_stats.grant_request_stats_page, name="grant-request-stats"),
    path("stats.csv", grant_request_stats.grant_request_stats_csv, name="grant-request-stats-csv"),
    path("<int:pk>/", grant_requests.grant_request_detail, name="grant-request-detail"),
    path("<int:pk>/comments/", grant_requests.grant_request_comment_view, name="grant-request-comment"),
    path("<int:pk>/attachments/", grant_requests.grant_request_attach_view, name="grant-request-attach"),
    path(
        "<int:pk>/attachments/<int:attachment_id>/",
        grant_requests.grant_request_attachment_file,
        name="grant-request-attachment",
    ),
    path("<int:pk>/withdraw/", grant_requests.grant_request_withdraw_view, name="grant-request-withdraw"),
    path("<int:pk>/decide/", grant_requests.grant_request_decide, name="grant-request-decide"),
    path("<int:pk>/approve/", grant_requests.grant_request_approve_view, name="grant-request-approve"),
    path("<int:pk>/refuse/", grant_requests.grant_request_refuse_view, name="grant-request-refuse"),
]
