"""Open-standard exports: OCDS for PPPs packages of agreements, ODRL policies of grants.

Each view fetches through a selector scoped to the person asking, so an
agreement or grant they may not see is a 404 like any other, and hands the
rows to a builder in ``contracts.exports``.
"""

import json

from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.exports import ocds, odrl
from contracts.selectors.agreements import agreements_visible_to
from contracts.selectors.grants import permissions_visible_to
from partnerships.actors import actor_for
from partnerships.api.fields import is_id

# Agreements read from the database per round trip while streaming the bulk
# export: each batch costs a handful of prefetch queries, whatever its size.
BULK_BATCH = 200


class JsonLdRenderer(JSONRenderer):
    media_type = "application/ld+json"
    format = "jsonld"


@extend_schema(
    summary="OCDS for PPPs package of one agreement",
    description=(
        "An OCDS 1.1 release package (PPP profile) with the agreement as it stands, or with "
        "`package=record`, a record package with one release per recorded change "
        "(registration, amendments, status changes) and the compiled release. "
        "The agreement may be named by its id or its reference."
    ),
    parameters=[
        OpenApiParameter("package", OpenApiTypes.STR, enum=["release", "record"], default="release"),
    ],
    responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="OCDS release or record package")},
)
class AgreementOcdsView(APIView):
    def get(self, request, pk: str):
        kind = request.query_params.get("package", "release")
        if kind not in ("release", "record"):
            raise ValidationError({"package": [_("Choose release or record.")]})
        agreements = ocds.with_export_history(agreements_visible_to(actor_for(request.user)))
        # Partners' systems know an agreement by its reference as well as by its id.
        agreement = get_object_or_404(agreements, **({"pk": int(pk)} if is_id(pk) else {"reference": pk}))
        uri, site = request.build_absolute_uri(), request.build_absolute_uri("/")
        if kind == "record":
            return Response(ocds.record_package(agreement, uri=uri, site=site))
        return Response(ocds.release_package([agreement], uri=uri, site=site))


@extend_schema(
    summary="OCDS for PPPs release package of every agreement you may see",
    description=(
        "One release package, streamed, with the current release of each agreement visible to you. "
        "404 when you may see no agreement: a package must hold at least one release."
    ),
    responses={
        200: OpenApiResponse(OpenApiTypes.OBJECT, description="OCDS release package"),
        404: OpenApiResponse(description="No agreement to export"),
    },
)
class OcdsBulkView(APIView):
    def get(self, request):
        agreements = agreements_visible_to(actor_for(request.user)).order_by("pk")
        published = ocds.last_change(agreements)
        if published is None:
            raise NotFound(_("There is no agreement you may see, so there is nothing to export."))
        header = ocds.package_header(uri=request.build_absolute_uri(), published=published)
        releases = ocds.with_export_history(agreements).iterator(chunk_size=BULK_BATCH)
        site = request.build_absolute_uri("/")
        return StreamingHttpResponse(_stream_package(header, releases, site), content_type="application/json")


def _stream_package(header: dict, agreements, site: str):
    """The package as JSON text, one release at a time, so memory stays flat however many there are."""
    yield json.dumps(header, ensure_ascii=False)[:-1] + ', "releases": ['
    for i, agreement in enumerate(agreements):
        yield ("," if i else "") + json.dumps(ocds.current_release(agreement, site=site), ensure_ascii=False)
    yield "]}"


@extend_schema(
    summary="A grant as an ODRL 2.2 Agreement (JSON-LD)",
    description=(
        "The grant's current version, or with `version=N` that version, as an ODRL 2.2 Agreement "
        "in JSON-LD. Its context is the W3C ODRL context plus the DPV namespace for purposes."
    ),
    parameters=[OpenApiParameter("version", OpenApiTypes.INT, description="A past version number of the grant")],
    responses={
        (200, "application/ld+json"): OpenApiResponse(OpenApiTypes.OBJECT, description="ODRL Agreement"),
        (200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT, description="ODRL Agreement"),
    },
)
class PermissionOdrlView(APIView):
    renderer_classes = [JsonLdRenderer, JSONRenderer]

    def get(self, request, pk: int):
        permissions = permissions_visible_to(actor_for(request.user)).select_related(
            "agreement__government", "agreement__partner"
        )
        permission = get_object_or_404(permissions, pk=pk)
        versions = permission.versions.order_by("-number")
        raw = request.query_params.get("version")
        if raw is None:
            version = versions.first()
        else:
            if not is_id(raw) or not 1 <= int(raw) <= 2**31 - 1:
                raise ValidationError({"version": [_("Give a version number (1, 2, ...).")]})
            version = versions.filter(number=int(raw)).first()
            if version is None:
                raise NotFound(_("This grant has no version %(number)s.") % {"number": raw})
        version.permission = permission  # reuse the scoped row and its parties
        return Response(odrl.grant_policy(version, base_url=request.build_absolute_uri("/")))
