"""HTML to PDF for printable reports, through WeasyPrint (local fonts only)."""

from django.conf import settings
from django.template.loader import render_to_string


def render_pdf(template: str, context: dict, request=None) -> bytes:
    """Render ``template`` with ``context`` and return the PDF bytes."""
    from weasyprint import HTML

    html = render_to_string(template, context, request=request)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
