"""What the {% raw %}{% cache %}{% endraw %} blocks in the templates read: how long, and which recipes version.

https://docs.djangoproject.com/en/5.2/ref/templates/api/#writing-your-own-context-processors
"""

from django.utils.functional import lazy

from caching import conf

from .caching import recipes_version


def fragment_caching(request):
    """The fragments' lifetime, and the recipes version that goes into their keys.

    The version is lazy: it is read from the cache only by a page that uses it.
    """
    return {
        "cache_timeout": conf.timeout(),
        "recipes_version": lazy(recipes_version, str)(),
    }
