"""The landing page: where a user goes after logging in."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from .landing import landing_sections


@login_required
def home(request):
    """Every place the user's roles lead to; with only one, straight there."""
    sections = landing_sections(request.user)
    links = [link for section in sections for link in section.links]
    if len(links) == 1:
        return redirect(links[0].url)
    return render(request, "home.html", {"sections": sections})
