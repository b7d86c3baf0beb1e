from django.conf import settings
from django.http import HttpRequest

from desmigratif.access import current_assignments


def portal(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    # The menu's current section. A page no URL matched (the 404 page) has no resolver match.
    match = getattr(request, "resolver_match", None)
    return {
        "portal_name": settings.PORTAL_NAME,
        "nav_section": (match.namespace or match.url_name or "") if match is not None else "",
        # A callable: evaluated only by templates that show the user's areas.
        "user_assignments": (lambda: current_assignments(user)) if user is not None else list,
    }
