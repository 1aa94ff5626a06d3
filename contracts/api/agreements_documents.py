"""/api/v1/agreements/{id}/documents/: signed contracts, amendments and reports, with their SHA-256."""


from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from contracts.api.agreements_access import UnderAgreementMixin
from contracts.models import Document
from contracts.services.agreement_parts import document_attach
from partnerships.actors import actor_for
from partnerships.api.strict import StrictFieldsMixin


class DocumentUploadSerializer(StrictFieldsMixin, serializers.Serializer):
    file = serializers.FileField(allow_empty_file=False)
    title = serializers.CharField(max_length=300, required=False, allow_blank=True)
    document_type = serializers.RegexField(
        r"^[A-Za-z][A-Za-z0-9]{0,63}$",
        required=False,
        help_text="An OCDS documentType code, e.g. contractSigned, contractAnnexe, contractAmendment.",
    )
    version = serializers.IntegerField(min_value=1, required=False, help_text="The agreement version it belongs to.")


class DocumentSerializer(serializers.ModelSerializer):
    # A document need not belong to a version (allow_null says so in the schema).
    version = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)
    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    filename = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "title",
            "document_type",
            "version",
            "filename",
            "sha256",
            "size",
            "content_type",
            "uploaded_by",
            "uploaded_at",
        ]

    def get_filename(self, obj) -> str:
        return obj.original_name


class PassthroughRenderer(renderers.BaseRenderer):
    """Lets a download answer whatever the client accepts; the body is the file itself."""

    media_type = "*/*"
    format = "download"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # A refusal (404, 403...) still carries DRF's error dict: answer it as JSON, not as its keys.
        if isinstance(data, (bytes, str)):
            return data
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return renderers.JSONRenderer().render(data)


class DocumentViewSet(UnderAgreementMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = DocumentSerializer

    def get_queryset(self):
        if self.is_schema_run():
            return Document.objects.none()
        return (
            Document.objects.filter(agreement=self.get_agreement())
            .select_related("version", "uploaded_by")
            .order_by("uploaded_at", "id")
        )

    def get_parsers(self):
        if getattr(self, "action", None) == "create" or self.request is not None and self.request.method == "POST":
            return [MultiPartParser(), FormParser()]
        return super().get_parsers()

    @extend_schema(request={"multipart/form-data": DocumentUploadSerializer}, responses={201: DocumentSerializer})
    def create(self, request, agreement_id=None):
        body = DocumentUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        document = document_attach(
            actor=actor_for(request.user),
            agreement=self.get_agreement(),
            uploaded=data["file"],
            title=data.get("title", ""),
            document_type=data.get("document_type") or "contractSigned",
            version_number=data.get("version"),
        )
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    # The file in the type it was uploaded as (application/pdf, image/png...).
    @extend_schema(responses={(200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY)}, filters=False)
    # JSON first, so a refusal reads as the documented JSON error for any client accepting */*.
    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, PassthroughRenderer])
    def download(self, request, agreement_id=None, pk=None):
        document = self.get_object()
        response = FileResponse(
            document.file.open("rb"),
            as_attachment=True,
            filename=document.original_name,
            content_type=document.content_type or "application/octet-stream",
        )
        # The hash on record, so a client can check what it received.
        response["ETag"] = f'"{document.sha256}"'
        response["X-Content-SHA256"] = document.sha256
        return response
