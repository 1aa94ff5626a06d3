"""JSON-LD contexts served from the repository, never from the network.

``odrl_context.jsonld`` holds the terms of the W3C ODRL 2.2 context
(http://www.w3.org/ns/odrl.jsonld) that the grant export uses, with the same
definitions, so an export expands to the same triples here as with the
published context. JSON-LD processors (pyld, rdflib) take
``offline_document_loader`` as their document loader: it answers the ODRL
context URL from that file and refuses every other URL.
"""

import json
from functools import cache
from pathlib import Path

ODRL_CONTEXT_URL = "http://www.w3.org/ns/odrl.jsonld"
_CONTEXT_FILE = Path(__file__).with_name("odrl_context.jsonld")
# The W3C serves the same context over both schemes.
_SERVED = {ODRL_CONTEXT_URL, "https://www.w3.org/ns/odrl.jsonld"}


class RemoteDocumentRefused(LookupError):
    """A JSON-LD document was asked for that is not shipped with the project."""


@cache
def _context_text() -> str:
    return _CONTEXT_FILE.read_text(encoding="utf-8")


def odrl_context() -> dict:
    """A fresh copy of the shipped ODRL context document (processors may change what they get)."""
    return json.loads(_context_text())


def offline_document_loader(url: str, options: dict | None = None) -> dict:
    """A pyld document loader: the shipped ODRL context for its URL, a refusal for anything else."""
    if url not in _SERVED:
        raise RemoteDocumentRefused(f"Refusing to load {url!r}: only the shipped ODRL context is available offline.")
    return {"contextUrl": None, "documentUrl": url, "contentType": "application/ld+json", "document": odrl_context()}
