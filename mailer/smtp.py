"""One SMTP connection over aiosmtplib: TLS policy, login, a time limit per attempt, and
every failure sorted into transient (retry), permanent (fail the mail) or paused (stop all).

A connection is reused only between whole mails: anything that goes wrong between MAIL FROM
and the end of DATA (a reply, a time-out, our own hook, a cancellation) closes it, so the
next mail never meets a transaction the server still holds open.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import os
import socket
import ssl
import stat
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiosmtplib
from aiosmtplib.email import flatten_message

from mailer.compose import Outgoing, one_line
from models.net import is_loopback
from models.settings import Settings
from models.text import printable

log = logging.getLogger("licensedesk.mailer.smtp")

DEFAULT_PORTS = {"tls": 465, "starttls": 587, "none": 25}
# Replies that mean our credentials or setup are wrong, not this mail: pause, do not fail it.
AUTH_CODES = (530, 534, 535, 538)
# "Bad sequence of commands" is about our side of the conversation, never the recipient.
SEQUENCE_CODES = (503,)
# The login mechanisms we use, best first (aiosmtplib's own order would put CRAM-MD5 first).
AUTH_MECHANISMS = ("plain", "login", "cram-md5")

Connector = Callable[[], Awaitable[socket.socket]]
Hook = Callable[[], Awaitable[None]]


class SendError(Exception):
    """str(err) is the reason recorded on the row or shown in the alert."""


class Transient(SendError):
    """4xx, refused or dropped connection, time-out: try this mail again later."""


class Permanent(SendError):
    """5xx for this mail: it will never go through."""


class Paused(SendError):
    """Credentials or TLS policy: nothing can be sent until someone fixes the setup."""


class Secret:
    """A password that never shows in a repr, a log line or a traceback's locals."""

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__


def read_password_file(path: Path) -> Secret:
    """Refuse a file others could read: the password must stay with its owner."""
    try:
        st = path.stat()
    except OSError as err:
        raise Paused(f"cannot read LICENSEDESK_SMTP_PASSWORD_FILE {path}: {err.strerror}") from None
    if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise Paused(f"LICENSEDESK_SMTP_PASSWORD_FILE {path} is open to other users "
                     f"(mode {stat.S_IMODE(st.st_mode):04o}); run chmod 600 on it")
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        raise Paused(f"LICENSEDESK_SMTP_PASSWORD_FILE {path} belongs to another user")
    return Secret(path.read_text(encoding="utf-8").rstrip("\r\n"))


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str = "starttls"
    username: str | None = None
    password: Secret | None = field(default=None, repr=False)
    allow_insecure: bool = False
    timeout: float = 30.0
    password_error: str | None = None
    ca_file: Path | None = None

    @property
    def clear_ok(self) -> bool:
        """Plain text is acceptable only on this machine, or when a person said so."""
        return self.allow_insecure or is_loopback(self.host)

    @classmethod
    def from_settings(cls, settings: Settings, host: str | None = None,
                      port: int | None = None, security: str | None = None) -> SmtpConfig:
        host = host or settings.smtp_host or "127.0.0.1"
        security = security or settings.smtp_security
        password: Secret | None = None
        problem = None
        if settings.smtp_password is not None:
            password = Secret(settings.smtp_password.get_secret_value())
        elif settings.smtp_password_file is not None:
            try:
                password = read_password_file(settings.smtp_password_file)
            except Paused as err:
                problem = str(err)
        return cls(
            host=host, port=port or settings.smtp_port or DEFAULT_PORTS[security],
            security=security, username=settings.smtp_username, password=password,
            allow_insecure=settings.smtp_allow_insecure,
            timeout=settings.smtp_timeout.total_seconds(), password_error=problem,
            ca_file=settings.smtp_ca_file,
        )

    def check(self) -> None:
        """What can be refused before connecting (the CA file: tls_context())."""
        if self.password_error:
            raise Paused(self.password_error)
        if self.security == "none" and not self.clear_ok:
            raise Paused(f"LICENSEDESK_SMTP_SECURITY=none for {self.host}, which is not this "
                         "machine: refusing to send mail in clear text; use starttls or tls, "
                         "or set LICENSEDESK_SMTP_ALLOW_INSECURE=true")
        if self.username and self.password is None:
            raise Paused("LICENSEDESK_SMTP_USERNAME is set but no password: set "
                         "LICENSEDESK_SMTP_PASSWORD or LICENSEDESK_SMTP_PASSWORD_FILE")

    def tls_context(self) -> ssl.SSLContext | None:
        """The TLS context trusting LICENSEDESK_SMTP_CA_FILE, loaded afresh for each
        connection (a fixed file is picked up without a restart); None for the system's
        trust store. A file that is missing, unreadable or holds no certificate is a setup
        problem for a person to fix, not a connection fault to retry."""
        if self.ca_file is None or self.security == "none":
            return None
        path = self.ca_file
        try:
            return ssl.create_default_context(cafile=str(path))
        except ssl.SSLError as err:
            problem = f"it holds no certificate we can use ({err.reason or err})"
        except OSError as err:
            problem = err.strerror or str(err)
        except ValueError as err:  # e.g. a NUL in the path
            problem = str(err)
        raise Paused(f"cannot use LICENSEDESK_SMTP_CA_FILE {path}: {problem}; point it at "
                     "the PEM file of the CA that signed the mail server's certificate")


def _reply(err: aiosmtplib.SMTPResponseException, config: SmtpConfig) -> str:
    """The server's reply as one printable line: it may hold bytes that are not UTF-8,
    line breaks of a multi-line reply, or escape sequences meant for our terminal; and the
    password, if the server repeats what it was given ("bad credentials for user/…"), as
    [password]."""
    said = f"{err.code} {err.message}".strip()
    if config.password is not None:
        said = _without_password(said, config.username or "", config.password.reveal())
    return printable(said, 1000)


def _without_password(said: str, username: str, password: str) -> str:
    """`said` with the password as we send it (plain, or base64 for AUTH LOGIN and PLAIN)
    replaced; the longest forms first, so none is left half replaced."""
    if not password:
        return said
    forms = {password,
             base64.b64encode(password.encode()).decode(),
             base64.b64encode(f"\0{username}\0{password}".encode()).decode(),
             base64.b64encode(f"{username}\0{username}\0{password}".encode()).decode()}
    for form in sorted(forms, key=len, reverse=True):
        said = said.replace(form, "[password]")
    return said


def _untrusted(err: BaseException | None) -> ssl.SSLCertVerificationError | None:
    """The certificate refusal behind an error, however aiosmtplib wrapped it."""
    while err is not None:
        if isinstance(err, ssl.SSLCertVerificationError):
            return err
        err = err.__cause__ or err.__context__
    return None


def classify(code: int, reason: str, about_recipient: bool = False) -> SendError:
    """What a reply means. An authentication code pauses sending only while we connect,
    sign in or give the sender: refusing one recipient (RCPT, or DATA for it) is about
    that mail alone, and pausing for it would stall the queue behind it for good."""
    if code in AUTH_CODES and not about_recipient:
        return Paused(f"the mail server refused our credentials: {reason}")
    if code in SEQUENCE_CODES:
        return Transient(reason)
    if 500 <= code < 600:
        return Permanent(reason)
    return Transient(reason)


class SmtpClient:
    """One reused connection; any failure closes it so the next mail starts clean."""

    def __init__(self, config: SmtpConfig, connector: Connector | None = None) -> None:
        self.config = config
        self._connector = connector
        self._smtp: aiosmtplib.SMTP | None = None

    @property
    def connected(self) -> bool:
        return self._smtp is not None and self._smtp.is_connected

    async def _connect(self) -> aiosmtplib.SMTP:
        cfg = self.config
        cfg.check()
        tls_context = cfg.tls_context()
        kw: dict[str, object] = {}
        if self._connector is not None:
            kw["sock"] = await self._connector()
        else:
            kw["port"] = cfg.port
        smtp = aiosmtplib.SMTP(
            hostname=cfg.host, timeout=cfg.timeout, use_tls=cfg.security == "tls",
            start_tls=False, local_hostname=socket.gethostname() or "localhost",
            tls_context=tls_context,
            **kw,  # type: ignore[arg-type]
        )
        self._smtp = smtp
        await smtp.connect()
        await smtp.ehlo()
        secure = cfg.security == "tls"
        if cfg.security == "starttls":
            if smtp.supports_extension("starttls"):
                await smtp.starttls()
                # RFC 3207 4.2: all we learned before TLS is void (aiosmtplib forgets it);
                # ask again, or AUTH, SMTPUTF8 and 8BITMIME all look absent.
                await smtp.ehlo()
                secure = True
            elif not cfg.clear_ok:
                raise Paused(f"{cfg.host} does not offer STARTTLS: refusing to send mail in "
                             "clear text; fix the server, or set "
                             "LICENSEDESK_SMTP_ALLOW_INSECURE=true if you accept that")
        if cfg.username and cfg.password is not None:
            if not secure and not cfg.clear_ok:
                raise Paused(f"refusing to send the SMTP password to {cfg.host} in clear text")
            await self._login(smtp, cfg.username, cfg.password)
        log.debug("connected to %s:%s (%s)", cfg.host, cfg.port,
                  "encrypted" if secure else "clear text")
        return smtp

    async def _login(self, smtp: aiosmtplib.SMTP, username: str, password: Secret) -> None:
        """One mechanism, one try: a refusal means wrong credentials, and trying the next
        mechanism (as aiosmtplib's login() does) only repeats it, or hangs on some servers.
        """
        offered = smtp.server_auth_methods
        chosen = next((m for m in AUTH_MECHANISMS if m in offered), None)
        if chosen is None:
            ours = ", ".join(m.upper() for m in AUTH_MECHANISMS)
            if not smtp.supports_extension("auth"):
                raise Paused(f"{self.config.host} offers no login (no AUTH in its reply to "
                             f"EHLO), but LICENSEDESK_SMTP_USERNAME is set; we support {ours}")
            theirs = ", ".join(m.upper() for m in offered) or "none it names"
            raise Paused(f"{self.config.host} offers no login method we support: it offers "
                         f"{theirs}; we support {ours}")
        auth = getattr(smtp, f"auth_{chosen.replace('-', '')}")
        await auth(username, password.reveal())

    @staticmethod
    async def _envelope(smtp: aiosmtplib.SMTP, out: Outgoing,
                        while_mail: Callable[[], None] | None = None,
                        while_rcpt: Callable[[], None] | None = None) -> bytes:
        """MAIL FROM and RCPT TO; returns the bytes DATA will carry. `while_mail` and
        `while_rcpt` run once that command is written, while the server looks at it."""
        options = []
        data = out.data
        # An Outgoing promises ASCII addresses unless utf8 is set; do not rely on it here.
        international = out.utf8 or not (out.sender.isascii() and out.recipient.isascii())
        encoding = "ascii"
        if international:
            if not smtp.supports_extension("smtputf8"):
                if not out.sender.isascii():
                    raise Paused(f"the mail server does not accept international (SMTPUTF8) "
                                 f"addresses, and LICENSEDESK_MAIL_FROM is one: {out.sender}")
                raise Permanent("the mail server does not accept international (SMTPUTF8) "
                                f"addresses: {out.recipient}")
            options.append("SMTPUTF8")
            encoding = "utf-8"
        if smtp.supports_extension("8bitmime"):
            options.append("BODY=8BITMIME")
        else:
            data = flatten_message(out.message, utf8=international, cte_type="7bit")
        # Scheduled before the command: aiosmtplib writes it, then waits for the reply, and
        # the loop runs the callback in that wait (no task or extra turn of the loop). Were
        # it to run earlier, only the overlap would be lost.
        loop = asyncio.get_running_loop()
        try:
            if while_mail is not None:
                loop.call_soon(while_mail)
            await smtp.mail(out.sender, options=options, encoding=encoding)
            if while_rcpt is not None:
                loop.call_soon(while_rcpt)
            await smtp.rcpt(out.recipient, encoding=encoding)
        except (UnicodeError, ValueError) as err:
            # An address that cannot go on the wire as it is: this mail's problem alone.
            raise Permanent(f"cannot send to {out.recipient}: {err}") from None
        return data

    async def send(self, out: Outgoing, before_data: Hook | None = None,
                   while_mail: Callable[[], None] | None = None,
                   while_rcpt: Callable[[], None] | None = None) -> None:
        """Deliver or raise Transient / Permanent / Paused, within one overall time limit.

        `before_data` runs between RCPT and DATA, outside the time limit: the relay records
        the previous mail there, so the server cannot accept this one before that is done.
        Whatever it raises comes out unchanged (it is not this mail's fault), and the
        connection, holding an open transaction, is closed. `while_mail` and `while_rcpt`
        are the caller's own work, run while the server answers MAIL FROM and RCPT TO; they
        must not raise (the event loop would only log it).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.config.timeout
        with self._failures():
            async with asyncio.timeout_at(deadline):
                smtp = self._smtp if self.connected else None
                if smtp is None:
                    smtp = await self._open()
                data = await self._envelope(smtp, out, while_mail, while_rcpt)
        if before_data is not None:
            paused_at = loop.time()
            try:
                await before_data()
            except BaseException:
                self.close()  # MAIL FROM and RCPT TO stand on the server: never reuse that
                raise
            deadline += loop.time() - paused_at
        with self._failures():
            async with asyncio.timeout_at(deadline):
                await smtp.data(data)

    async def _open(self) -> aiosmtplib.SMTP:
        """_connect, with what can go wrong there sorted for a person to act on."""
        try:
            return await self._connect()
        except aiosmtplib.SMTPAuthenticationError as err:
            raise classify(535, _reply(err, self.config)) from None
        except aiosmtplib.SMTPResponseException as err:
            # A refusal while greeting is about the connection, not this mail.
            raise Transient(f"while connecting: {_reply(err, self.config)}") from None
        except (ssl.SSLCertVerificationError, aiosmtplib.SMTPConnectError) as err:
            bad = _untrusted(err)
            if bad is None:
                raise
            raise Paused(f"the TLS certificate of {self.config.host} is not trusted "
                         f"({bad.verify_message}); if it comes from a private CA, "
                         "set LICENSEDESK_SMTP_CA_FILE to that CA's bundle") from None

    @contextlib.contextmanager
    def _failures(self) -> Iterator[None]:
        """Close the connection on any failure, and sort it into a SendError."""
        try:
            yield
        except SendError:
            self.close()
            raise
        except aiosmtplib.SMTPResponseException as err:
            self.close()
            about_recipient = isinstance(err, aiosmtplib.SMTPRecipientRefused
                                         | aiosmtplib.SMTPDataError)
            raise classify(err.code, _reply(err, self.config), about_recipient) from None
        except TimeoutError:
            self.close()
            raise Transient(f"no answer within {self.config.timeout:g}s") from None
        except (aiosmtplib.SMTPException, OSError) as err:
            self.close()
            raise Transient(f"connection problem: {err}") from None
        except Exception as err:
            # A fault of ours, not of this mail: keep the mail, and the traceback for us.
            self.close()
            # One line where people look; the trace only for whoever turns on debug.
            log.error("unexpected error while sending: %s: %s", type(err).__name__,
                      one_line(str(err), 200))
            log.debug("unexpected error while sending", exc_info=True)
            raise Transient(f"unexpected error while sending: {type(err).__name__}: "
                            f"{err}") from None
        except BaseException:
            self.close()  # cancelled half-way: the server may hold an open transaction
            raise

    def close(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None

    async def quit(self) -> None:
        if self.connected and self._smtp is not None:
            try:
                async with asyncio.timeout(min(self.config.timeout, 5)):
                    await self._smtp.quit()
            except (aiosmtplib.SMTPException, OSError, TimeoutError):
                pass
        self.close()
