"""Template helpers of the scoring pages."""

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """mapping[key], or None: per-item errors and posted values in the scoring tables."""
    return mapping.get(key) if hasattr(mapping, "get") else None
