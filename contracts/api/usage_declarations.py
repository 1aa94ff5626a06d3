"""/api/v1/declarations/: partners declare usage; everyone in scope reads declarations and duties."""

import django_filters
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.api.usage_serializers import (
    DeclarationInputSerializer,
    DeclarationSerializer,
    DutySerializer,
    SubmittedDeclarationSerializer,
)
from contracts.codes import DeclarationStatus
from contracts.selectors.agreements import agreements_visible_to
from contracts.selectors.duties import DUTY_STATUSES, declaration_duties
from contracts.selectors.usage import declarations_visible_to
from contracts.services.declarations import (
    IdempotencyKeyReused,
    declaration_submit,
    declaration_submit_once,
    request_fingerprint,
)
from partnerships.actors import actor_for

IDEMPOTENCY_HEADER = "Idempotency-Key"


class IdempotencyKeyConflict(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was already used with a different request."
    default_code = "idempotency_key_reused"


def _id_or_code_q(value: str, code_field: str, prefix: str) -> Q:
    q = Q(**{f"{prefix}__{code_field}": value})
    if value.isascii() and value.isdigit() and len(value) < 19:
        q |= Q(**{f"{prefix}_id": int(value)})
    return q


class DeclarationFilter(django_filters.FilterSet):
    agreement = django_filters.CharFilter(method="by_agreement", help_text="Agreement id or reference.")
    dataset = django_filters.CharFilter(method="by_dataset", help_text="Dataset id or code.")
    status = django_filters.ChoiceFilter(choices=DeclarationStatus.choices)
    superseded = django_filters.BooleanFilter(
        field_name="superseded_by", lookup_expr="isnull", exclude=True, help_text="true: only corrected ones."
    )
    period_from = django_filters.DateFilter(field_name="period_end", lookup_expr="gte")
    period_to = django_filters.DateFilter(field_name="period_start", lookup_expr="lte")

    def by_agreement(self, queryset, name, value):
        return queryset.filter(_id_or_code_q(value, "reference", "agreement"))

    def by_dataset(self, queryset, name, value):
        return queryset.filter(_id_or_code_q(value, "code", "dataset"))


def idempotency_key(request) -> str | None:
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return None
    if not 0 < len(key) <= 255 or not key.isascii() or not key.isprintable():
        raise ValidationError({IDEMPOTENCY_HEADER: ["Give 1 to 255 printable ASCII characters."]})
    return key


class DeclarationListCreate(generics.ListAPIView):
    """GET: declarations in the caller's scope. POST: declare usage under one of the caller's agreements."""

    serializer_class = DeclarationSerializer
    filterset_class = DeclarationFilter

    def get_queryset(self):
        return declarations_visible_to(actor_for(self.request.user))

    @extend_schema(
        request=DeclarationInputSerializer,
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="Retry-safe key: the same key and body replays the first answer; "
                "the same key with another body is 422. Scoped to the partner.",
            )
        ],
        responses={201: DeclarationSerializer, 422: OpenApiResponse(description="Idempotency-Key reused")},
    )
    def post(self, request):
        key = idempotency_key(request)
        data = DeclarationInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        actor = actor_for(request.user)
        replayed = False
        if key is None:
            declaration = declaration_submit(actor=actor, **data.validated_data)
        else:
            try:
                declaration, replayed = declaration_submit_once(
                    actor=actor, idempotency_key=key, fingerprint=request_fingerprint(request.data),
                    **data.validated_data,
                )  # fmt: skip
            except IdempotencyKeyReused:
                raise IdempotencyKeyConflict() from None
        if replayed:  # the first answer, read back as it stands now
            answer = DeclarationSerializer(self.get_queryset().get(pk=declaration.pk))
        else:
            answer = SubmittedDeclarationSerializer(declaration, context={"recipients": data.validated_data.get("recipients", [])})
        headers = {"Idempotent-Replayed": "true"} if replayed else {}
        return Response(answer.data, status=status.HTTP_201_CREATED, headers=headers)


class DeclarationDetail(generics.RetrieveAPIView):
    """One declaration; a superseded one stays readable and names its correction."""

    serializer_class = DeclarationSerializer

    def get_queryset(self):
        return declarations_visible_to(actor_for(self.request.user))


class DeclarationDuties(APIView):
    """Which declarations each grant of an agreement asks for, and whether they came."""

    @extend_schema(
        parameters=[
            OpenApiParameter("agreement", OpenApiTypes.STR, required=True, description="Agreement id or reference."),
            OpenApiParameter("status", OpenApiTypes.STR, enum=list(DUTY_STATUSES)),
        ],
        responses={
            200: inline_serializer(
                "DutyList",
                {
                    "agreement": serializers.IntegerField(),
                    "today": serializers.DateField(),
                    "results": DutySerializer(many=True),
                },
            ),
            404: OpenApiResponse(description="No such agreement among those this person sees."),
        },
    )
    def get(self, request):
        value = request.query_params.get("agreement", "")
        if not value or "\x00" in value:
            raise ValidationError({"agreement": ["Give an agreement id or reference."]})
        status_filter = request.query_params.get("status")
        if status_filter is not None and status_filter not in DUTY_STATUSES:
            raise ValidationError({"status": [f"One of: {', '.join(DUTY_STATUSES)}."]})
        q = Q(reference=value)
        if value.isascii() and value.isdigit() and len(value) < 19:
            q |= Q(pk=int(value))
        agreement = agreements_visible_to(actor_for(request.user)).filter(q).first()
        if agreement is None:
            raise Http404
        today = timezone.localdate()
        duties = declaration_duties(agreement=agreement, today=today)
        if status_filter:
            duties = [duty for duty in duties if duty.status == status_filter]
        return Response(
            {"agreement": agreement.pk, "today": today, "results": DutySerializer(duties, many=True).data}
        )
