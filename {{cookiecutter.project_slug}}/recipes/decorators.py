"""What the recipe pages answer to: reading them, and asking how.

https://docs.djangoproject.com/en/5.2/topics/http/decorators/#allowed-http-methods
"""

from functools import wraps

from django.http import HttpResponse, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt

ALLOWED_METHODS = ["GET", "HEAD", "OPTIONS"]


def read_only(view):
    """GET and HEAD run the view; OPTIONS lists them without running it; the rest get a 405.

    TRACE, POST, PUT, ... answer 405 with Allow, the cached page never involved.
    csrf_exempt lets a POST get that 405 rather than CSRF's 403: no method that
    could change anything reaches the view, so there is no token to check.
    """

    @csrf_exempt
    @wraps(view)
    def only_reads(request, *args, **kwargs):
        if request.method == "OPTIONS":
            return HttpResponse(status=204, headers={"Allow": ", ".join(ALLOWED_METHODS)})
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(ALLOWED_METHODS)
        return view(request, *args, **kwargs)

    return only_reads
