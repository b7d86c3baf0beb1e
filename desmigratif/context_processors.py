from django.conf import settings
from django.http import HttpRequest

from desmigratif.access import current_assignments


def portal(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {
        "portal_name": settings.PORTAL_NAME,
        # A callable: evaluated only by templates that show the user's areas.
        "user_assignments": (lambda: current_assignments(user)) if user is not None else list,
    }
