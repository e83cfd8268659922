"""Links: only a token's SHA-256 is stored; the raw token is nowhere in the database files."""

from __future__ import annotations

from pathlib import Path

from models.accept import accept, lookup
from models.context import Ctx
from models.invitations import invite, resend
from models.outbox import claim
from models.tokens import hash_token
from models.views import InviteRequest, StaffRef
from tests.models.helpers import take_tokens


def _db_bytes(ctx: Ctx) -> bytes:
    path = Path(ctx.settings.resolved_database_url.removeprefix("sqlite:///"))
    files = [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-journal")) if p.exists()]
    assert path in files
    return b"".join(p.read_bytes() for p in files)


def test_no_raw_token_in_the_database_files(ctx: Ctx, staff: StaffRef) -> None:
    from models.licenses import create_license
    from models.organizations import create_organization

    org = create_organization(ctx, staff, name="Tokens Ltd", client_name="Tia Token",
                              client_email="tia@tokens.example")
    lic, _ = create_license(ctx, staff, organization_id=org, product_key="livechat")
    invite(ctx, staff, lic, [InviteRequest(f"t{i}@tokens.example", "Agent") for i in range(20)])
    before_claim = _db_bytes(ctx)
    mails = claim(ctx, "relay", limit=100)
    tokens = [m.token for m in mails if m.token]
    assert len(tokens) == 20
    after_claim = _db_bytes(ctx)
    for token in tokens:
        assert token.encode() not in before_claim
        assert token.encode() not in after_claim
        # The same grep does find what is stored: the hash.
        assert hash_token(token).encode() in after_claim
    # Resent links and accepted ones leave no token behind either.
    ids = list(range(1, 11))
    resend(ctx, staff, ids)
    fresh = take_tokens(ctx)
    assert len(fresh) == 10
    accept(ctx, next(iter(fresh.values())), "Tok Taker", "correct horse battery")
    everything = _db_bytes(ctx)
    for token in [*tokens, *fresh.values()]:
        assert token.encode() not in everything
    key = ctx.settings.resolved_secret_file.read_bytes().strip()
    assert key not in everything
    # The team (the directory's group) reads the key; nobody writes it but its owner, and
    # other accounts get nothing.
    assert ctx.settings.resolved_secret_file.stat().st_mode & 0o037 == 0


def test_a_token_opens_only_its_own_invitation(ctx: Ctx, staff: StaffRef) -> None:
    from models.licenses import create_license
    from models.organizations import create_organization

    org = create_organization(ctx, staff, name="Links Inc", client_name="Lu Link",
                              client_email="lu@links.example")
    lic, _ = create_license(ctx, staff, organization_id=org, product_key="textapp",
                            invites=[InviteRequest("a@links.example", "Agent"),
                                     InviteRequest("b@links.example", "Administrator")])
    tokens = take_tokens(ctx)
    assert lookup(ctx, tokens["a@links.example"]).email == "a@links.example"
    assert lookup(ctx, tokens["b@links.example"]).role == "Administrator"
    assert lookup(ctx, tokens["a@links.example"][:-1]).state == "unknown"
    assert lic
