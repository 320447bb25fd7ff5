"""A signed-in session for the write load: sign in like a browser (CSRF token, session cookie) and read
the CSRF token of a page's form, with the standard library only.

Cookies are kept by hand: the app marks its session cookie Secure, and the load runs over plain HTTP on
loopback, where a standard cookie jar would rightly refuse to send it back."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect is an answer here, not something to follow
        return None


class Session:
    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(_NoRedirect)

    def _open(self, path: str, data: bytes | None = None) -> tuple[int, str]:
        request = urllib.request.Request(self.base + path, data=data)
        if self.cookies:
            request.add_header("Cookie", self.cookie_header)
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:  # 302 after a post arrives here once redirects are off
            response = error
        with response:
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, response.read().decode()

    def get(self, path: str) -> str:
        status, body = self._open(path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        return body

    def token(self, path: str) -> str:
        found = _TOKEN.search(self.get(path))
        if not found:
            raise RuntimeError(f"no CSRF token in the form of {path}")
        return found.group(1)

    def sign_in(self, email: str, password: str) -> None:
        data = urllib.parse.urlencode({"csrf_token": self.token("/login"), "email": email,
                                       "password": password}).encode()
        status, _body = self._open("/login", data)
        if status != 302:
            raise RuntimeError(f"signing in as {email} answered {status}")

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())
