"""Open-standard exports of what was agreed and granted: OCDS for PPPs and ODRL 2.2.

The builders here are plain functions from model rows to JSON-ready dicts; the
API views in ``contracts.api.exports`` scope the rows and render the result.
"""
