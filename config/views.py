"""The landing page: where a user goes after logging in."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from respondents.selectors import coordinated_provinces

from .landing import landing


@login_required
def home(request):
    """The campaigns the user can act on and its other pages; with only one place to go, straight there.
    A coordinator always gets the dashboard of its campaigns."""
    page = landing(request.user)
    destinations = page.destinations()
    coordinator = request.user.is_superuser or coordinated_provinces(request.user).exists()
    if len(destinations) == 1 and not coordinator:
        return redirect(destinations[0])
    return render(request, "home.html", {"cards": page.cards, "sections": page.sections})
