"""The invitee's signup page: `create_app(ctx)` is the whole web app."""

from __future__ import annotations

import re
from dataclasses import replace

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from models.accept import accept, lookup
from models.context import Ctx
from models.errors import TokenProblem
from models.passwords import MIN_LENGTH
from models.text import InvalidText, clean_text
from models.views import InvitationPublic
from signup.csrf import COOKIE, FIELD, Csrf, derive_key
from signup.headers import SecureLayer
from signup.limits import BadTokenLimiter
from signup.pages import STATIC, Pages

# token_urlsafe(32) gives 43 characters; anything unlike a token is not worth a query.
_PLAUSIBLE = re.compile(r"[A-Za-z0-9_-]{20,128}")
MAX_PASSWORD = 1024
MAX_BODY = 16 * 1024

_PROBLEMS = {
    "unknown": (404, "Link not valid", "This invitation link does not work"),
    "accepted": (410, "Already used", "This invitation was already used"),
    "expired": (410, "Expired", "This invitation has expired"),
    "revoked": (410, "Withdrawn", "This invitation was withdrawn"),
}


def validate(name: str, password: str, password2: str) -> dict[str, str]:
    """Every problem with the form at once, keyed by field id."""
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Enter your name."
    else:
        try:
            clean_text(name, "name")
        except InvalidText:
            errors["name"] = ("Your name contains control characters or is too long "
                              "(200 characters at most). Type it again without them.")
    if len(password) < MIN_LENGTH:
        errors["password"] = f"Use at least {MIN_LENGTH} characters for your password."
    elif len(password) > MAX_PASSWORD:
        errors["password"] = f"Use at most {MAX_PASSWORD} characters for your password."
    elif password != password2:
        errors["password2"] = "The two passwords differ. Type the same password twice."
    return errors


class SignupApp:
    def __init__(self, ctx: Ctx, limiter: BadTokenLimiter | None = None) -> None:
        self.ctx = ctx
        self.pages = Pages()
        self.csrf = Csrf(derive_key(ctx))
        self.limiter = limiter or BadTokenLimiter(ctx.clock)

    # -- answers -------------------------------------------------------------------------

    def problem(self, state: str, inv: InvitationPublic) -> HTMLResponse:
        status, label, heading = _PROBLEMS[state]
        return self.pages.html("problem.html", status, state=state, inv=inv, label=label,
                               heading=heading)

    def message(self, status: int, label: str, heading: str, *paragraphs: str) -> HTMLResponse:
        return self.pages.html("message.html", status, label=label, heading=heading,
                               paragraphs=paragraphs)

    def form(self, request: Request, token: str, inv: InvitationPublic, *, name: str = "",
             errors: dict[str, str] | None = None, status: int = 200) -> HTMLResponse:
        nonce = request.cookies.get(COOKIE) or ""
        if not _PLAUSIBLE.fullmatch(nonce):
            nonce = self.csrf.new_nonce()
        # Reusing the nonce keeps a form open in a second tab valid.
        resp = self.pages.html("invite.html", status, inv=inv, name=name, errors=errors or {},
                               csrf=self.csrf.field_for(nonce, token))
        resp.set_cookie(COOKIE, nonce, path="/invite/", httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
        return resp

    def too_many(self, retry_after: int) -> HTMLResponse:
        minutes = max(1, round(retry_after / 60))
        resp = self.message(
            429, "Too many attempts", "Too many invalid links from your network",
            f"Please wait about {minutes} minute{'s' if minutes != 1 else ''} and open the "
            "link from your invitation mail again.",
            "If it still does not work, ask the person who invited you for a new invitation.")
        resp.headers["Retry-After"] = str(retry_after)
        return resp

    # -- the link ------------------------------------------------------------------------

    async def _open(self, request: Request) -> tuple[str, InvitationPublic | Response]:
        """The token and its invitation, or the answer to give instead."""
        token = request.path_params["token"]
        client = request.client.host if request.client else "-"
        wait = self.limiter.retry_after(client)
        if wait:
            return token, self.too_many(wait)
        if _PLAUSIBLE.fullmatch(token):
            inv = await run_in_threadpool(lookup, self.ctx, token)
        else:
            inv = InvitationPublic(state="unknown")
        if inv.state == "unknown":
            self.limiter.record_failure(client)
            await self.limiter.slow_down(client)
            return token, self.problem("unknown", inv)
        if inv.state != "open":
            return token, self.problem(inv.state, inv)
        return token, inv

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
            return self.message(413, "Too large", "That form was too large",
                                "Go back and fill in the form again.")
        form = await request.form(max_files=0, max_fields=10, max_part_size=MAX_BODY)
        name = str(form.get("name") or "")[:1000]
        password = str(form.get("password") or "")
        password2 = str(form.get("password2") or "")
        if not self.csrf.check(request.cookies.get(COOKIE), str(form.get(FIELD) or ""), token):
            return self.form(request, token, inv, name=name, status=403, errors={
                "name": "Your form had expired or your browser blocked its cookie. "
                        "Check your name, type your password again and send the form once more."})
        errors = validate(name, password, password2)
        if errors:
            return self.form(request, token, inv, name=name, errors=errors, status=400)
        try:
            result = await run_in_threadpool(accept, self.ctx, token, name, password)
        except TokenProblem as err:
            if err.state == "form":
                return self.form(request, token, inv, name=name, status=400,
                                 errors={"password": str(err).capitalize() + "."})
            # Lost a race with another click, or the link changed meanwhile.
            return self.problem(err.state, replace(inv, state=err.state))
        except InvalidText as err:
            return self.form(request, token, inv, name=name, status=400,
                             errors={"name": str(err).capitalize() + "."})
        resp = self.pages.html("done.html", name=clean_text(name, "name"), result=result,
                               inv=inv)
        resp.delete_cookie(COOKIE, path="/invite/")
        return resp

    # -- the rest ------------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        return self.message(200, "Signup", "Open the link from your invitation mail",
                            "This page creates accounts for people invited to a license. "
                            "Use the link in the invitation mail you received.")

    async def favicon(self, request: Request) -> Response:
        return Response(status_code=204)

    async def http_error(self, request: Request, exc: Exception) -> Response:
        code = exc.status_code if isinstance(exc, HTTPException) else 500
        if code == 404:
            return self.message(404, "Not found", "There is no page here",
                                "Use the link from your invitation mail.")
        return self.message(code, "Request refused", "That request could not be handled",
                            "Go back and try again, using the link from your invitation mail.")


def create_app(ctx: Ctx, *, limiter: BadTokenLimiter | None = None) -> Starlette:
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
        middleware=[Middleware(SecureLayer, error_page=s.pages.error_bytes)],
        exception_handlers={HTTPException: s.http_error},
    )
    app.state.signup = s
    return app
