from django.conf import settings
from django.core.cache import cache
from django.http.request import split_domain_port
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from wagtail.models import Site


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Simplified Chinese unless the visitor chose another language (cookie or ?lang=).

    Django's LocaleMiddleware would follow the browser's Accept-Language; a grid worker's phone
    set to English would then get an English site they did not ask for. Here only an explicit
    choice (the language switcher sets a cookie) changes the language.
    """

    def process_request(self, request):
        chosen = request.GET.get("lang") or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class SecurityHeadersMiddleware:
    """Content-Security-Policy and related headers on the site's own pages.

    Learner pages load scripts only from our own static files (no inline scripts, no CDNs).
    The Wagtail admin ships its own inline scripts, so it gets a CSP without script limits
    but the same framing and object rules.
    """

    SITE_CSP = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
        "media-src 'self' https:; frame-src https:; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'"
    )
    ADMIN_CSP = "object-src 'none'; base-uri 'self'; frame-ancestors 'self'"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            admin = request.path.startswith("/admin/")
            response["Content-Security-Policy"] = self.ADMIN_CSP if admin else self.SITE_CSP
        response.setdefault("Permissions-Policy", "geolocation=(), microphone=(), camera=(self)")
        return response


class AdminSessionTimeoutMiddleware:
    """Admin users' sessions end after ``GA_ADMIN_SESSION_IDLE_SECONDS`` of inactivity.

    A session that already has the short expiry keeps it (no lookup). For other signed-in users
    the admin-access check (two permission queries) is remembered per user for
    ``GA_SITE_CACHE_SECONDS``, so a new admin role applies to an open session within that time.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            idle = settings.GA_ADMIN_SESSION_IDLE_SECONDS
            if request.session.get("_session_expiry") == idle or self._admin(user):
                request.session.set_expiry(idle)
        return self.get_response(request)

    @staticmethod
    def _admin(user) -> bool:
        if user.is_superuser:
            return True
        timeout = settings.GA_SITE_CACHE_SECONDS
        if not timeout:
            return user.has_perm("wagtailadmin.access_admin")
        key = f"lms:admin_access:{user.pk}"
        admin = cache.get(key)
        if admin is None:
            admin = user.has_perm("wagtailadmin.access_admin")
            cache.set(key, admin, timeout)
        return admin


SITES_CACHE_KEY = "lms:wagtail_sites"
SITES_CACHE_MAX = 64


def forget_sites(**kwargs) -> None:
    """Receiver: a Site or a page changed, look the sites up again."""
    cache.delete(SITES_CACHE_KEY)


class WagtailSiteCacheMiddleware:
    """Wagtail's site for the request, remembered for ``GA_SITE_CACHE_SECONDS``.

    Wagtail looks the site up in the database on every page request
    (``Site.find_for_request``); the answer depends only on the host, the port and the Site
    rows, which change rarely. Any Site or Page save or delete clears it (``lms.apps``); the
    timeout bounds how long another process's cache may lag when the cache is per process.
    Must come after CommonMiddleware, so that only ALLOWED_HOSTS reach it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = settings.GA_SITE_CACHE_SECONDS
        if timeout and not hasattr(request, "_wagtail_site"):
            request._wagtail_site = self._site(request, timeout)
        return self.get_response(request)

    @staticmethod
    def _site(request, timeout: int):
        key = (split_domain_port(request._get_raw_host())[0], request.get_port())
        sites = cache.get(SITES_CACHE_KEY) or {}
        if key in sites:
            return sites[key]
        # Pickled into the cache before anything reads it: never holds a rendered page.
        site = Site._find_for_request(request)
        if len(sites) < SITES_CACHE_MAX:
            sites[key] = site
            cache.set(SITES_CACHE_KEY, sites, timeout)
        return site
