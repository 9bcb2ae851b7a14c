"""PDF downloads of the print pages (a monthly list, a pledge board, a 督办通知书, a 回执).

The print page's own HTML and print.css are laid out by WeasyPrint, with Debian's Pango and a
CJK font (fonts-wqy-microhei; ``make test`` and ``make run`` install them). WeasyPrint fetches
nothing from the network: the only resources it may load are the project's static files,
read from disk; any other URL in a page (a user's text never becomes one) is refused.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string

PDF = "application/pdf"


def wants_pdf(request) -> bool:
    """``?pdf=1`` on a print page asks for the PDF instead of the HTML."""
    return request.GET.get("pdf") == "1"


def _static_only_fetcher():
    """WeasyPrint's URL fetcher: the project's static files from disk, nothing else."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            path = unquote(urlsplit(url).path)
            prefix = "/" + settings.STATIC_URL.strip("/") + "/"
            if not path.startswith(prefix):
                raise ValueError(f"PDF rendering loads only static files, not {url!r}")
            found = finders.find(path[len(prefix) :])
            if not found:
                raise ValueError(f"No static file for {url!r}")
            with open(found, "rb") as handle:
                body = handle.read()
            content_type = "text/css" if found.endswith(".css") else "application/octet-stream"
            return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})

    return StaticOnly(allowed_protocols=("http",))


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported on use: it loads Pango

    return HTML(string=html, base_url="http://dutyflow.invalid/", url_fetcher=_static_only_fetcher()).write_pdf()


def pdf_response(request, template: str, context: dict, filename: str) -> HttpResponse:
    """The print page ``template`` rendered for ``request`` as an A4 PDF download."""
    html = render_to_string(template, {**context, "autoprint": False, "pdf": True}, request=request)
    response = HttpResponse(html_to_pdf(html), content_type=PDF)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
