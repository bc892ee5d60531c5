from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``mapping[key]`` in a template, or "" when absent."""
    if not mapping:
        return ""
    return mapping.get(key, "")
