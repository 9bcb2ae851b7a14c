"""The API's pagination: DRF's page numbers, with one gap closed."""

from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """DRF's ``PageNumberPagination``, except that an empty ``?page=`` is an invalid page (404
    "Invalid page.") as ``?page=abc`` is, instead of silently the first page: the schema says a
    page is a whole number."""

    def get_page_number(self, request, paginator):
        page_number = request.query_params.get(self.page_query_param, 1)
        if page_number in self.last_page_strings:
            page_number = paginator.num_pages
        return page_number
