"""Django's own messages that its Vietnamese catalogue lacks (new in Django 6): marked here so that
makemessages puts them in the project's catalogue (locale/vi), which Django reads before its own."""

from django.utils.translation import gettext_noop

DJANGO_MESSAGES = [
    gettext_noop("- Select an option -"),  # django.db.models.fields.BLANK_CHOICE_LABEL: every dropdown
    # The admin's pages (admin/base.html, admin/app_list.html, admin/color_theme_toggle.html).
    gettext_noop("Skip to main content"),
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("Toggle theme (current theme: auto)"),
    gettext_noop("Toggle theme (current theme: light)"),
    gettext_noop("Toggle theme (current theme: dark)"),
]
