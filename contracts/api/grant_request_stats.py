"""``GET /api/v1/grant-requests/stats/``: how the demand for data is met, as JSON or ``?format=csv``."""

import csv
import io

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.api.grant_request_serializers import OrganizationField, StrictSerializer
from contracts.selectors.grant_request_stats import GROUP_BY, grant_request_stats, stats_table
from contracts.years import OUTSIDE_YEARS, within_years
from partnerships.actors import actor_for

class StatsCSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        out = io.StringIO()
        writer = csv.writer(out)
        if isinstance(data, dict) and "total" in data:
            writer.writerows(stats_table(data, data.get("filters", {}).get("group_by")))
        else:  # an error answer: field -> messages
            writer.writerow(["field", "message"])
            for field, messages in (data or {}).items():
                for message in messages if isinstance(messages, list) else [messages]:
                    writer.writerow([field, message])
        # A byte-order mark so spreadsheet programs read the Chinese names as UTF-8.
        return ("\ufeff" + out.getvalue()).encode("utf-8")


def _in_grant_years(day):
    # A period ending 9999-12-31 has no day after.
    if not within_years(day):
        raise serializers.ValidationError(OUTSIDE_YEARS)


class StatsQuery(StrictSerializer):
    agency = OrganizationField(required=False, help_text=_("Government party (id or credit code)."))
    partner = OrganizationField(required=False, help_text=_("Partner party (id or credit code)."))
    group_by = serializers.ChoiceField(choices=[(g, g) for g in GROUP_BY], required=False)
    format = serializers.ChoiceField(choices=[("json", "json"), ("csv", "csv")], required=False)

    def get_fields(self):
        fields = super().get_fields()
        # "from" and "to" are the names clients use; they are Python keywords, hence added here.
        fields["from"] = serializers.DateField(required=False, source="date_from", validators=[_in_grant_years])
        fields["to"] = serializers.DateField(required=False, source="date_to", validators=[_in_grant_years])
        return fields

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if attrs.get("date_from") and attrs.get("date_to") and attrs["date_to"] < attrs["date_from"]:
            raise serializers.ValidationError({"to": [_("The period must not end before it starts.")]})
        return attrs


class GrantRequestStatsView(APIView):
    renderer_classes = [JSONRenderer, StatsCSVRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("agency", OpenApiTypes.STR),
            OpenApiParameter("partner", OpenApiTypes.STR),
            OpenApiParameter("from", OpenApiTypes.DATE),
            OpenApiParameter("to", OpenApiTypes.DATE),
            OpenApiParameter("group_by", OpenApiTypes.STR, enum=list(GROUP_BY)),
            OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"]),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        query = StatsQuery(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        q = query.validated_data
        stats = grant_request_stats(
            actor=actor_for(request.user),
            agency_id=q["agency"].pk if q.get("agency") else None,
            partner_id=q["partner"].pk if q.get("partner") else None,
            date_from=q.get("date_from"),
            date_to=q.get("date_to"),
            group_by=q.get("group_by"),
        )
        filters = {
            "agency": q["agency"].pk if q.get("agency") else None,
            "partner": q["partner"].pk if q.get("partner") else None,
            "from": q.get("date_from"),
            "to": q.get("date_to"),
            "group_by": q.get("group_by"),
        }
        response = Response({"filters": filters, **stats})
        if request.accepted_renderer.format == "csv":
            response["Content-Disposition"] = 'attachment; filename="grant-request-stats.csv"'
        return response
