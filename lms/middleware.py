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
