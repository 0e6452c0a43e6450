"""The API's request bodies: JSON, refused with a parse error (400) when unreadable."""

from __future__ import annotations

from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, which also refuses JSON nested too deeply to decode."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as e:
            # A few bytes of brackets ([[[[…]]]]) exceed Python's recursion limit, an
            # error DRF's parser lets through (it turns only ValueError into a 400).
            raise exceptions.ParseError("JSON parse error - the JSON is nested too deeply.") from e
