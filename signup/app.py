"""The invitee's signup page: `create_app(ctx)` is the whole web app."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from mailer.i18n import gettext_for, negotiate
from models.accept import accept, lookup
from models.context import Ctx
from models.errors import TokenProblem
from models.languages import language_for_token
from models.passwords import MIN_LENGTH
from models.text import InvalidText, clean_text
from models.views import InvitationPublic
from signup import logsafe
from signup.csrf import COOKIE, FIELD, Csrf, derive_key
from signup.forms import FormRefused, read_form
from signup.headers import SecureLayer
from signup.limits import BadTokenLimiter, client_key
from signup.pages import STATIC, Pages
from signup.proxies import ProxyHeaders, TrustedProxies, trusted_proxies_from_env

# token_urlsafe(32) gives 43 characters; anything unlike a token is not worth a query.
_PLAUSIBLE = re.compile(r"[A-Za-z0-9_-]{20,128}")
MAX_PASSWORD = 1024
MAX_BODY = 16 * 1024
MAX_FIELDS = 10
_FIELDS = ("name", "password", "password2")


def N_(message: str) -> str:
    """Marks a message for the catalogs; translated where it is shown."""
    return message


_UNREADABLE = {
    "name": N_("Your name could not be read: your browser sent characters that are not "
               "valid text (UTF-8). Type your name again."),
    "password": N_("Your password could not be read: your browser sent characters that are "
                   "not valid text (UTF-8). Type it again in both fields."),
}

_PROBLEMS = {
    "unknown": (404, N_("Link not valid"), N_("This invitation link does not work")),
    "accepted": (410, N_("Already used"), N_("This invitation was already used")),
    "expired": (410, N_("Expired"), N_("This invitation has expired")),
    "revoked": (410, N_("Withdrawn"), N_("This invitation was withdrawn")),
}


def _identity(message: str) -> str:
    return message


def validate(name: str, password: str, password2: str,
             _: Callable[[str], str] = _identity) -> dict[str, str]:
    """Every problem with the form at once, keyed by field id; `_` translates."""
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Enter your name.")
    elif "\ufffd" in name:
        # What a broken decoder on the way leaves behind; never stored as a name.
        errors["name"] = _("Your name contains a garbled character (shown as \ufffd), a sign "
                           "that it was changed on the way. Type your name again.")
    else:
        try:
            clean_text(name, "name")
        except InvalidText:
            errors["name"] = _("Your name contains control characters or is too long "
                               "(200 characters at most). Type it again without them.")
    if len(password) < MIN_LENGTH:
        errors["password"] = _("Use at least %(count)s characters for your password.") % {
            "count": MIN_LENGTH}
    elif len(password) > MAX_PASSWORD:
        errors["password"] = _("Use at most %(count)s characters for your password.") % {
            "count": MAX_PASSWORD}
    elif password != password2:
        errors["password2"] = _("The two passwords differ. Type the same password twice.")
    return errors


def language(request: Request) -> str:
    """The page's language: the invitation's (set by _open), else the browser's choice."""
    lang = getattr(request.state, "lang", None)
    return lang if isinstance(lang, str) else negotiate(request.headers.get("accept-language"))


class SignupApp:
    def __init__(self, ctx: Ctx, limiter: BadTokenLimiter | None = None) -> None:
        self.ctx = ctx
        self.pages = Pages()
        self.csrf = Csrf(derive_key(ctx))
        self.limiter = limiter or BadTokenLimiter(ctx.clock)

    # -- answers -------------------------------------------------------------------------

    def problem(self, request: Request, state: str, inv: InvitationPublic) -> HTMLResponse:
        status, label, heading = _PROBLEMS[state]
        lang = language(request)
        _ = gettext_for(lang)
        return self.pages.html("problem.html", status, lang=lang, state=state, inv=inv,
                               label=_(label), heading=_(heading))

    def message(self, request: Request, status: int, label: str, heading: str,
                *paragraphs: str) -> HTMLResponse:
        """A page of text: every message given is a catalog's id, translated here."""
        lang = language(request)
        _ = gettext_for(lang)
        return self.pages.html("message.html", status, lang=lang, label=_(label),
                               heading=_(heading), paragraphs=[_(p) for p in paragraphs])

    def form(self, request: Request, token: str, inv: InvitationPublic, *, name: str = "",
             errors: dict[str, str] | None = None, status: int = 200) -> HTMLResponse:
        nonce = request.cookies.get(COOKIE) or ""
        if not _PLAUSIBLE.fullmatch(nonce):
            nonce = self.csrf.new_nonce()
        # Reusing the nonce keeps a form open in a second tab valid.
        resp = self.pages.html("invite.html", status, lang=language(request), inv=inv,
                               name=name, errors=errors or {},
                               csrf=self.csrf.field_for(nonce, token))
        resp.set_cookie(COOKIE, nonce, path="/invite/", httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
        return resp

    def too_many(self, request: Request, retry_after: int) -> HTMLResponse:
        minutes = max(1, round(retry_after / 60))
        _ = gettext_for(language(request))
        resp = self.message(
            request, 429, N_("Too many attempts"), N_("Too many invalid links from your network"),
            N_("This link does not work, and many other links that do not work came from your "
               "network. Check that you opened the whole link from your invitation mail: "
               "a correct link opens at once."),
            _("Links that do not work are refused from your network for about %(minutes)s "
              "min. If your link still does not open, ask the person who invited you for a "
              "new invitation.") % {"minutes": minutes})
        resp.headers["Retry-After"] = str(retry_after)
        return resp

    # -- the link ------------------------------------------------------------------------

    async def _open(self, request: Request) -> tuple[str, InvitationPublic | Response]:
        """The token and its invitation, or the answer to give instead."""
        token = request.path_params["token"]
        # Looked up first: a valid link is never refused, whatever came from its address.
        if _PLAUSIBLE.fullmatch(token):
            inv, lang = await run_in_threadpool(self._lookup, token)
            if lang is not None:
                request.state.lang = lang
        else:
            inv = InvitationPublic(state="unknown")
        if inv.state == "unknown":
            client = client_key(request.client.host if request.client else "-")
            wait = self.limiter.retry_after(client)
            if wait:
                return token, self.too_many(request, wait)
            self.limiter.record_failure(client)
            await self.limiter.slow_down(client)
            return token, self.problem(request, "unknown", inv)
        if inv.state != "open":
            return token, self.problem(request, inv.state, inv)
        return token, inv

    def _lookup(self, token: str) -> tuple[InvitationPublic, str | None]:
        return lookup(self.ctx, token), language_for_token(self.ctx, token)

    async def show(self, request: Request) -> Response:
        """GET changes nothing: mail scanners and link previews open links too."""
        token, found = await self._open(request)
        if isinstance(found, Response):
            return found
        return self.form(request, token, found)

    async def submit(self, request: Request) -> Response:
        token, found = await self._open(request)
        if isinstance(found, Response):
            return found
        inv = found
        if int(request.headers.get("content-length") or 0) > MAX_BODY:
            return self.refused_form(request, 413)
        try:
            form = await read_form(request, max_bytes=MAX_BODY, max_fields=MAX_FIELDS)
        except FormRefused as err:
            return self.refused_form(request, err.status)
        name = form.get("name")[:1000]
        password = form.get("password")
        password2 = form.get("password2")
        _ = gettext_for(language(request))
        if not self.csrf.check(request.cookies.get(COOKIE), form.get(FIELD), token):
            return self.form(request, token, inv, name=name, status=403, errors={
                "name": _("Your form had expired or your browser blocked its cookie. Check "
                          "your name, type your password again and send the form once more.")})
        errors = validate(name, password, password2, _)
        if "name" in form.unreadable:
            errors["name"] = _(_UNREADABLE["name"])
        if form.unreadable & {"password", "password2"}:
            errors.pop("password2", None)
            errors["password"] = _(_UNREADABLE["password"])
        errors = {f: errors[f] for f in _FIELDS if f in errors}
        if errors:
            return self.form(request, token, inv, name=name, errors=errors, status=400)
        try:
            result = await run_in_threadpool(accept, self.ctx, token, name, password)
        except TokenProblem as err:
            if err.state == "form":
                return self.form(request, token, inv, name=name, status=400,
                                 errors={"password": str(err).capitalize() + "."})
            # Lost a race with another click, or the link changed meanwhile.
            return self.problem(request, err.state, replace(inv, state=err.state))
        except InvalidText as err:
            return self.form(request, token, inv, name=name, status=400,
                             errors={"name": str(err).capitalize() + "."})
        resp = self.pages.html("done.html", lang=language(request),
                               name=clean_text(name, "name"), result=result, inv=inv)
        resp.delete_cookie(COOKIE, path="/invite/")
        return resp

    def refused_form(self, request: Request, status: int) -> HTMLResponse:
        if status == 413:
            return self.message(request, 413, N_("Too large"), N_("That form was too large"),
                                N_("Go back and fill in the form again."))
        return self.message(request, status, N_("Form not accepted"),
                            N_("That form could not be read"),
                            N_("Open the link from your invitation mail again and fill in the "
                               "form on that page."))

    # -- the rest ------------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        return self.message(request, 200, N_("Signup"),
                            N_("Open the link from your invitation mail"),
                            N_("This page creates accounts for people invited to a license. "
                               "Use the link in the invitation mail you received."))

    async def favicon(self, request: Request) -> Response:
        return Response(status_code=204)

    async def http_error(self, request: Request, exc: Exception) -> Response:
        code = exc.status_code if isinstance(exc, HTTPException) else 500
        if code == 404:
            return self.message(request, 404, N_("Not found"), N_("There is no page here"),
                                N_("Use the link from your invitation mail."))
        return self.message(request, code, N_("Request refused"),
                            N_("That request could not be handled"),
                            N_("Go back and try again, using the link from your invitation "
                               "mail."))


def create_app(ctx: Ctx, *, limiter: BadTokenLimiter | None = None,
               trusted_proxies: TrustedProxies | None = None) -> Starlette:
    """The app; trusted_proxies defaults to LICENSEDESK_SIGNUP_TRUSTED_PROXIES (a bad value
    raises ProxySettingError)."""
    proxies = trusted_proxies_from_env() if trusted_proxies is None else trusted_proxies
    logsafe.install()
    s = SignupApp(ctx, limiter)
    routes = [
        Route("/", s.home),
        Route("/favicon.ico", s.favicon),
        Route("/invite/{token}", s.show, methods=["GET"]),
        Route("/invite/{token}", s.submit, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(
        routes=routes,
        # Outermost first: the client a trusted proxy forwarded is the one logged and limited.
        middleware=[Middleware(ProxyHeaders, proxies=proxies),
                    Middleware(SecureLayer, error_page=s.pages.error_bytes)],
        exception_handlers={HTTPException: s.http_error},
    )
    app.state.signup = s
    return app
