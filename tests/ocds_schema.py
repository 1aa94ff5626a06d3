"""Validators for OCDS packages, built from the schemas kept beside the repository.

The schemas live in ``../shared/ocds/`` (relative to the repository root), or
wherever ``OCDS_SCHEMA_DIR`` points. Nothing is downloaded: every ``$ref`` the
package schemas make is registered here, and a reference to anything else fails.

- Release packages are checked against the PPP profile's release-package schema.
- Record packages are checked against the core OCDS 1.1.5 record-package schema
  (the profile ships none), with its release references pointing at the PPP
  profile's release schema, which is the core schema patched with the profile.
"""

import json
import os
import zipfile
from functools import cache
from pathlib import Path

import jsonschema
from django.conf import settings
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

CORE_RELEASE_URI = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
CORE_RECORD_PACKAGE = "standard-1__1__5/schema/record-package-schema.json"


def schema_dir() -> Path:
    configured = os.environ.get("OCDS_SCHEMA_DIR")
    path = Path(configured) if configured else Path(settings.BASE_DIR).parent / "shared" / "ocds"
    if not (path / "ppp" / "release-schema.json").is_file():
        raise FileNotFoundError(f"No OCDS schemas in {path}; set OCDS_SCHEMA_DIR to the shared ocds folder")
    return path


def _load(name: str) -> dict:
    return json.loads((schema_dir() / "ppp" / name).read_text(encoding="utf-8"))


@cache
def _registry() -> Registry:
    release = _load("release-schema.json")
    resource = Resource.from_contents(release, default_specification=DRAFT4)
    return Registry().with_resources([(release["id"], resource), (CORE_RELEASE_URI, resource)])


def _validator(schema: dict) -> jsonschema.Draft4Validator:
    return jsonschema.Draft4Validator(
        schema, registry=_registry(), format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


@cache
def release_package_validator() -> jsonschema.Draft4Validator:
    return _validator(_load("release-package-schema.json"))


@cache
def record_package_validator() -> jsonschema.Draft4Validator:
    with zipfile.ZipFile(schema_dir() / "standard-1__1__5-schema.zip") as archive:
        schema = json.loads(archive.read(CORE_RECORD_PACKAGE))
    return _validator(schema)


def errors(validator: jsonschema.Draft4Validator, package: dict) -> list[str]:
    """Every error, as 'path: message', so a failing assertion shows all of them."""
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in sorted(validator.iter_errors(package), key=lambda e: list(map(str, e.absolute_path)))
    ]
