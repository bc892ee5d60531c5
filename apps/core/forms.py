"""Form plumbing shared by the staff screens."""

from django.core.exceptions import ValidationError


def add_service_errors(form, error: ValidationError) -> None:
    """Attach a service's ValidationError to ``form``, field by field.

    Errors on fields the form does not show become form-wide errors, so
    nothing a service refused goes unexplained.
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        target = field if field in form.fields else None
        for item in errors:
            form.add_error(target, item)
