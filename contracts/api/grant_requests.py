"""``/api/v1/grant-requests/``: partners ask for grants, officers of the government party decide."""

import django_filters
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from contracts.api.exports import JsonLdRenderer
from contracts.api.grant_request_serializers import (
    ApproveInput,
    AttachmentInput,
    AttachmentOutput,
    CommentInput,
    CommentOutput,
    GrantRequestDetailOutput,
    GrantRequestInput,
    GrantRequestOutput,
    RefuseInput,
)
from contracts.codes import GrantRequestKind, GrantRequestStatus
from contracts.exports.odrl_request import request_policy
from contracts.models import GrantRequest
from contracts.selectors.grant_requests import grant_requests_visible_to
from contracts.services.grant_requests import (
    grant_request_approve,
    grant_request_attach,
    grant_request_comment,
    grant_request_refuse,
    grant_request_submit,
    grant_request_withdraw,
)
from partnerships.actors import actor_for
from partnerships.api.instants import UtcIsoDateTimeFilter


class GrantRequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=GrantRequestStatus.choices)
    kind = django_filters.ChoiceFilter(choices=GrantRequestKind.choices)
    agreement = django_filters.NumberFilter(field_name="agreement_id")
    dataset = django_filters.NumberFilter(field_name="dataset_id")
    permission = django_filters.NumberFilter(field_name="permission_id")
    agency = django_filters.NumberFilter(field_name="agreement__government_id")
    partner = django_filters.NumberFilter(field_name="agreement__partner_id")
    submitted_after = UtcIsoDateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = UtcIsoDateTimeFilter(field_name="submitted_at", lookup_expr="lt")

    class Meta:
        model = GrantRequest
        fields = []


class GrantRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    filterset_class = GrantRequestFilter
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_queryset(self):
        return grant_requests_visible_to(self.actor)

    @property
    def actor(self):
        return actor_for(self.request.user)

    def get_serializer_class(self):
        return GrantRequestDetailOutput if self.action != "list" else GrantRequestOutput

    def _detail(self, grant_request, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=grant_request.pk)
        return Response(GrantRequestDetailOutput(fresh, context=self.get_serializer_context()).data, status=code)

    def _parse(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(request=GrantRequestInput, responses={201: GrantRequestDetailOutput})
    def create(self, request):
        data = dict(self._parse(GrantRequestInput))
        grant_request = grant_request_submit(actor=self.actor, **data)
        return self._detail(grant_request, status.HTTP_201_CREATED)

    # One path, two operations: reading the thread answers 200 with the whole list (not a
    # page of it, nor filtered as the request list is), writing to it 201.
    @extend_schema(methods=["GET"], responses={200: CommentOutput(many=True)}, filters=False)
    @extend_schema(methods=["POST"], request=CommentInput, responses={201: CommentOutput})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def comments(self, request, pk=None):
        grant_request = self.get_object()
        if request.method == "GET":
            return Response(CommentOutput(grant_request.comments.all(), many=True).data)
        comment = grant_request_comment(actor=self.actor, grant_request=grant_request, **self._parse(CommentInput))
        return Response(CommentOutput(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses={200: AttachmentOutput(many=True)}, filters=False)
    @extend_schema(methods=["POST"], request=AttachmentInput, responses={201: AttachmentOutput})
    @action(detail=True, methods=["get", "post"], parser_classes=[MultiPartParser, FormParser], pagination_class=None)
    def attachments(self, request, pk=None):
        grant_request = self.get_object()
        if request.method == "GET":
            return Response(AttachmentOutput(grant_request.attachments.all(), many=True).data)
        attachment = grant_request_attach(actor=self.actor, grant_request=grant_request, **self._parse(AttachmentInput))
        return Response(AttachmentOutput(attachment).data, status=status.HTTP_201_CREATED)

    # The file in the type it was uploaded with, as a document download is.
    @extend_schema(responses={(200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY)}, filters=False)
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_id>\d+)/file")
    def attachment_file(self, request, pk=None, attachment_id=None):
        attachment = get_object_or_404(self.get_object().attachments, pk=attachment_id)
        return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name)

    @extend_schema(request=ApproveInput, responses={200: GrantRequestDetailOutput})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        grant_request = self.get_object()
        data = dict(self._parse(ApproveInput))
        grant_request = grant_request_approve(actor=self.actor, grant_request=grant_request, **data)
        return self._detail(grant_request)

    @extend_schema(request=RefuseInput, responses={200: GrantRequestDetailOutput})
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        grant_request = self.get_object()
        grant_request = grant_request_refuse(actor=self.actor, grant_request=grant_request, **self._parse(RefuseInput))
        return self._detail(grant_request)

    # JSON-LD by default, plain JSON when asked (?format=json), as the grant's ODRL export.
    @extend_schema(
        responses={
            (200, "application/ld+json"): OpenApiResponse(OpenApiTypes.OBJECT, description="ODRL Request"),
            (200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT, description="ODRL Request"),
        }
    )
    @action(detail=True, methods=["get"], renderer_classes=[JsonLdRenderer, JSONRenderer])
    def odrl(self, request, pk=None):
        """The request as an ODRL Request (JSON-LD), comparable rule by rule with the grant's ODRL export."""
        return Response(request_policy(self.get_object(), base_url=request.build_absolute_uri("/")))

    @extend_schema(request=None, responses={200: GrantRequestDetailOutput})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        grant_request = grant_request_withdraw(actor=self.actor, grant_request=self.get_object())
        return self._detail(grant_request)
