"""Pages of a list: 50 items unless the client asks for up to 100 (``page_size``)."""

from __future__ import annotations

from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from contacts import queries
from foldcard.sql import capped_counts

# The largest OFFSET that PostgreSQL and SQLite take (a signed 64-bit integer).
LAST_OFFSET = 2**63 - 1


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100


class CappedPages(Pages):
    """Pages of a list that may be huge (the cards): counted up to COUNT_CAP, as the
    follow-up list counts them, so that a page costs its rows and not the whole list's.
    ``count_exact`` says whether ``count`` is the list's size or only "at least"; ``next``
    leads on past the count, to the list's last row."""

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = self.get_page_size(request)
        asked = request.query_params.get(self.page_query_param) or "1"
        number = int(asked) if asked.isascii() and asked.isdigit() else 0
        start = (number - 1) * size
        if number < 1 or start + size >= LAST_OFFSET:
            raise NotFound(self.invalid_page_message)
        # The page's ids first, then its rows: the rows before the page are then read from
        # the list's index alone, not joined and annotated as the page's are. One id more
        # than the page says whether a next page exists, whatever the count.
        ids = list(queryset.values_list("pk", flat=True)[start : start + size + 1])
        if not ids and number > 1:
            raise NotFound(self.invalid_page_message)
        self.number, self.has_next = number, len(ids) > size
        if self.has_next:
            self.count = capped_counts({"rows": queryset}, queries.COUNT_CAP)["rows"]
        else:  # the last page: the list is the rows before it and its own
            self.count = start + len(ids)
        found = queryset.order_by().in_bulk(ids[:size])
        return [found[pk] for pk in ids[:size] if pk in found]

    def get_paginated_response(self, data) -> Response:
        return Response(
            {
                "count": min(self.count, queries.COUNT_CAP),
                "count_exact": not queries.is_capped(self.count),
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema) -> dict:
        paged = super().get_paginated_response_schema(schema)
        paged["properties"]["count"]["description"] = (
            f"How many items the list has, counted up to {queries.COUNT_CAP:,}."
        )
        paged["properties"]["count_exact"] = {
            "type": "boolean",
            "description": f"False when the list has more than {queries.COUNT_CAP:,} items: "
            '`count` is then "at least", and `next` leads on to the last item.',
        }
        paged["required"].append("count_exact")
        return paged

    def get_next_link(self) -> str | None:
        if not self.has_next:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.page_query_param, self.number + 1)

    def get_previous_link(self) -> str | None:
        if self.number == 1:
            return None
        url = self.request.build_absolute_uri()
        if self.number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.number - 1)
