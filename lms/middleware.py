from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


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
    """Admin users' sessions end after ``GA_ADMIN_SESSION_IDLE_SECONDS`` of inactivity."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and (user.is_superuser or user.has_perm("wagtailadmin.access_admin"))
        ):
            request.session.set_expiry(settings.GA_ADMIN_SESSION_IDLE_SECONDS)
        return self.get_response(request)
