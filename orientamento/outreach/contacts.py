"""What reaching a person takes, and nothing more: their contact details as a card.

The flag page shows the card to the municipio's workers; a referral sends the same card (and
the worker's note) to the service. It carries no score, reason or protected attribute.
"""

from __future__ import annotations

from dataclasses import dataclass

from orientamento.core.i18n import language_name
from orientamento.outreach.models import Flag


@dataclass(frozen=True)
class ContactCard:
    """A person's contact details; ``language`` and ``preferred_time`` are display texts."""

    name: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    language: str | None = None
    preferred_time: str | None = None

    def __bool__(self) -> bool:
        return bool(self.phone or self.email or self.address)


def contact_card(flag: Flag, locale: str) -> ContactCard | None:
    """The contact details of the flag's person, or None when there are none to show (none on
    record, or the person refused help)."""
    asked = flag.self_referral
    if asked is not None:
        return ContactCard(name=asked.name, phone=asked.phone, email=asked.email,
                           language=language_name(asked.language, locale),
                           preferred_time=str(asked.preferred_time.label))
    person = flag.person
    if person is None or person.opted_out_at is not None or person.contact is None:
        return None
    details = person.contact
    card = ContactCard(name=details.name, phone=details.phone, email=details.email,
                       address=details.address,
                       language=language_name(details.language, locale) if details.language
                       else None)
    return card or None
