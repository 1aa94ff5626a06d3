"""POST /api/v1/declarations/upload/: many declarations from one CSV file, all or none.

Columns are the fields of a declaration; ``actions`` and ``recipients`` hold
several values separated by ``;``. The answer names every refused row by its
line in the file (the header is line 1) with field-level messages.
"""

import csv
import io

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.api.usage_serializers import DeclarationInputSerializer, DeclarationUploadResultSerializer
from contracts.services.declarations import DeclarationRowsRefused, declarations_submit_many
from partnerships.actors import actor_for

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
REQUIRED_COLUMNS = ("agreement", "dataset", "period_start", "period_end", "purpose", "actions", "record_count")
LIST_COLUMNS = ("actions", "recipients")


class UploadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = f"Upload at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MiB (or {MAX_ROWS} rows) per file."
    default_code = "too_large"


class CsvBodyParser(BaseParser):
    """Lets DRF accept text/csv; the view reads the body itself."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        return {}


def _read_text(request) -> str:
    if request.content_type.startswith("multipart/form-data"):
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": ["Attach the CSV file as 'file'."]})
        if upload.size > MAX_UPLOAD_BYTES:
            raise UploadTooLarge()
        raw = upload.read()
    else:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_UPLOAD_BYTES:
            raise UploadTooLarge()
        stream = request.stream
        raw = stream.read(MAX_UPLOAD_BYTES + 1) if stream is not None else b""
        if len(raw) > MAX_UPLOAD_BYTES:
            raise UploadTooLarge()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError({"file": ["The file is not UTF-8 text."]}) from None
    if "\x00" in text:
        raise ValidationError({"file": ["The file contains NUL bytes."]})
    return text


def _csv_problem(exc: csv.Error) -> str:
    """What is wrong, in words: with NUL bytes refused before, the only error csv raises
    (it is not strict) is a value over its field limit, well within the upload limit."""
    if "field larger than field limit" in str(exc):
        return f"a value is longer than {csv.field_size_limit()} characters"
    return f"not valid CSV ({exc})"


def _rows(text: str) -> csv.DictReader:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        raise ValidationError({"file": [f"CSV header: {_csv_problem(exc)}."]}) from None
    names = [name.strip() for name in (fieldnames or [])]
    known = set(DeclarationInputSerializer().fields)
    problems = []
    if unknown := sorted(set(names) - known):
        problems.append("unknown columns: " + ", ".join(unknown))
    if missing := [name for name in REQUIRED_COLUMNS if name not in names]:
        problems.append("missing columns: " + ", ".join(missing))
    if len(set(names)) != len(names):
        problems.append("a column is repeated")
    if problems:
        raise ValidationError({"file": ["CSV header: " + "; ".join(problems)]})
    reader.fieldnames = names
    return reader


def _terms(record: dict) -> dict:
    """A CSV record shaped like a JSON declaration: empty cells left out, lists split on ';'."""
    data = {}
    for name, value in record.items():
        if name is None or value is None:  # cells beyond the header / missing cells
            continue
        value = value.strip()
        if value == "":
            continue
        data[name] = [v.strip() for v in value.split(";") if v.strip()] if name in LIST_COLUMNS else value
    if None in record:
        data["non_field_errors"] = "More cells than columns in the header."
    return data


def _records(reader: csv.DictReader):
    """The reader's records, then the csv.Error that stopped it, if one did."""
    try:
        yield from reader
    except csv.Error as exc:
        yield exc


class DeclarationUpload(APIView):
    parser_classes = [MultiPartParser, CsvBodyParser]

    @extend_schema(
        request={
            "text/csv": {"type": "string"},
            "multipart/form-data": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}},
        },
        responses={
            201: DeclarationUploadResultSerializer,
            400: OpenApiResponse(
                # Rows refused (the report), or a file that is not declarations at all (field messages).
                {
                    "anyOf": [
                        {"$ref": "#/components/schemas/DeclarationUploadResult"},
                        {"$ref": "#/components/schemas/FieldErrors"},
                    ]
                },
                description="Rows refused, or the file refused as a whole; nothing stored",
            ),
            413: OpenApiResponse(description="File too large"),
        },
    )
    def post(self, request):
        reader = _rows(_read_text(request))
        context = {"request": request}
        valid, rejected = [], []
        for number, record in enumerate(_records(reader), start=1):
            if number > MAX_ROWS:
                raise UploadTooLarge()
            if isinstance(record, csv.Error):
                # The reader cannot tell where the broken record ends, so what follows is not read.
                problem = _csv_problem(record)
                errors = {"non_field_errors": [problem[0].upper() + problem[1:] + "."]}
                rejected.append({"line": reader.reader.line_num, "errors": errors})
                break
            line = reader.line_num
            data = _terms(record)
            if "non_field_errors" in data:
                rejected.append({"line": line, "errors": {"non_field_errors": [data.pop("non_field_errors")]}})
                continue
            row = DeclarationInputSerializer(data=data, context=context)
            if row.is_valid():
                valid.append((line, row.validated_data))
            else:
                rejected.append({"line": line, "errors": row.errors})
        if rejected:
            return Response({"created": 0, "declarations": [], "rejected": rejected}, status=status.HTTP_400_BAD_REQUEST)
        if not valid:
            raise ValidationError({"file": ["The file has no declarations."]})
        try:
            created = declarations_submit_many(actor=actor_for(request.user), rows=valid)
        except DeclarationRowsRefused as refused:
            return Response(
                {"created": 0, "declarations": [], "rejected": refused.rejected}, status=status.HTTP_400_BAD_REQUEST
            )
        return Response(
            {"created": len(created), "declarations": [d.pk for d in created], "rejected": []},
            status=status.HTTP_201_CREATED,
        )
