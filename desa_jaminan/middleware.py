from django.conf import settings
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin


class LanguageMiddleware(MiddlewareMixin):
    """Bahasa Indonesia unless the user chose English with the switch: the browser's language is not
    consulted, because an office PC set up in English should still show the app in Indonesian."""

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language

    def process_response(self, request, response):
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class PermissionsPolicyMiddleware:
    """The Permissions-Policy header (settings.PERMISSIONS_POLICY) on every response: camera,
    microphone, location, payment, USB and the like are off for every page of the app."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
