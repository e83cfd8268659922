"""Products and the roles one can invite to each, with the meaning shown in every picker."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    name: str
    meaning: str
    billable: bool = True


@dataclass(frozen=True)
class Product:
    key: str
    label: str
    roles: tuple[Role, ...]

    def role(self, name: str) -> Role | None:
        folded = name.strip().casefold()
        return next((r for r in self.roles if r.name.casefold() == folded), None)

    @property
    def role_names(self) -> tuple[str, ...]:
        return tuple(r.name for r in self.roles)


ADMIN = Role("Administrator", "Almost all features and settings, other than payments.")
AGENT = Role("Agent", "Mostly chatting with the customer's clients.")
VIEWER = Role("Viewer", "Read-only access to tickets and reports; free of charge.", billable=False)
OWNER = Role("Owner", "The client who owns the license; one per license, not invitable.")

PRODUCTS: dict[str, Product] = {
    "livechat": Product("livechat", "LiveChat", (ADMIN, AGENT)),
    "helpdesk": Product("helpdesk", "HelpDesk", (ADMIN, AGENT, VIEWER)),
    "textapp": Product("textapp", "Text App", (ADMIN, AGENT)),
}

LICENSE_STATUSES = ("trial", "paid", "expired")
PAYERS = ("partner", "client")
DATA_CENTERS = ("us", "eu")
PLANS = ("starter", "team", "business", "enterprise")
INVITATION_STATUSES = ("pending", "overdue", "accepted", "expired", "revoked", "failed")
# Open: not yet picked up and still actionable (resend, revoke, change role).
OPEN_STATUSES = ("pending", "overdue", "failed")
# Reminders go to those who simply have not acted yet.
REMINDABLE_STATUSES = ("pending", "overdue")
RESENDABLE_STATUSES = ("pending", "overdue", "failed", "expired")
NEEDS_ATTENTION_STATUSES = ("overdue", "failed")


def product(key: str) -> Product:
    try:
        return PRODUCTS[key.strip().lower().replace(" ", "")]
    except KeyError:
        raise KeyError(f"unknown product {key!r}; choose one of {', '.join(PRODUCTS)}") from None


def role_of(role_name: str) -> Role | None:
    for p in PRODUCTS.values():
        r = p.role(role_name)
        if r:
            return r
    return OWNER if role_name == OWNER.name else None
