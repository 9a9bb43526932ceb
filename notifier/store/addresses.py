"""Where a person is reached on each channel, and whether that address still works.

One table of (address column, "unusable" column) per built-in channel, so the outbox
writer, the dispatcher's fallback, chat linking and the directory agree on what an
address is. A plug-in channel (registered by name, :mod:`notifier.channels.registry`)
keeps its addresses in the person's ``addresses`` JSON object, and why one stopped
working in ``addresses_unusable``; the console needs no address. ZNS is sent to the
person's ``phone`` column; why that number cannot get ZNS is kept in
``addresses_unusable`` too (no column of its own: the phone itself is not dead for a
call, only for ZNS).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlmodel import Session, col, select

from notifier.store.models import Person
from notifier.vocab import ChannelName


@dataclass(frozen=True)
class AddressFields:
    address: str  # the Person column holding the address
    unusable: str  # the Person column holding why it stopped working (None: it works)


ADDRESS_FIELDS: dict[str, AddressFields] = {
    ChannelName.EMAIL: AddressFields("email", "email_unusable"),
    ChannelName.TELEGRAM: AddressFields("telegram_chat_id", "telegram_unusable"),
    ChannelName.ZALO: AddressFields("zalo_chat_id", "zalo_unusable"),
}
# Channels addressed by a Person column whose "unusable" reason lives in addresses_unusable.
COLUMN_ADDRESSES: dict[str, str] = {ChannelName.ZNS: "phone"}
# Chat platforms whose chat ids are numbers (the column is an integer).
NUMERIC_CHATS = frozenset({ChannelName.TELEGRAM})


def address_of(person: Person, channel: str) -> str:
    """The address a row is sent to on ``channel`` (the person key for the console)."""
    fields = ADDRESS_FIELDS.get(channel)
    if fields is None:
        if channel == ChannelName.CONSOLE:
            return person.key
        if channel in COLUMN_ADDRESSES:
            return str(getattr(person, COLUMN_ADDRESSES[channel]) or "")
        return str((person.addresses or {}).get(channel) or "")
    value = getattr(person, fields.address)
    return "" if value is None else str(value)


def is_usable(person: Person, channel: str) -> bool:
    """Has an address on ``channel`` not known to be dead (the console: always)."""
    if channel == ChannelName.CONSOLE:
        return True
    fields = ADDRESS_FIELDS.get(channel)
    if fields is None:
        return bool(address_of(person, channel)) and not (person.addresses_unusable or {}).get(
            channel
        )
    return getattr(person, fields.address) not in (None, "") and not getattr(
        person, fields.unusable
    )


def usable_channels(person: Person) -> tuple[str, ...]:
    """The person's channels in preference order, minus addresses known to be unusable."""
    return tuple(c for c in person.channels if is_usable(person, c))


def mark_unusable(person: Person, channel: str, reason: str) -> None:
    """Remember that the person's address on ``channel`` is dead (a permanent failure)."""
    fields = ADDRESS_FIELDS.get(channel)
    if fields is not None:
        setattr(person, fields.unusable, reason[:500])
    elif channel != ChannelName.CONSOLE:  # a new dict, so the JSON column sees the change
        person.addresses_unusable = {**(person.addresses_unusable or {}), channel: reason[:500]}


def link_chat(person: Person, channel: str, chat_id: str) -> str:
    """Point the person's chat address on ``channel`` at ``chat_id``; returns the previous."""
    fields = ADDRESS_FIELDS[channel]
    previous = address_of(person, channel)
    value: int | str = int(chat_id) if channel in NUMERIC_CHATS else chat_id
    setattr(person, fields.address, value)
    setattr(person, fields.unusable, None)
    return previous


def people_of_chat(session: Session, channel: str, chat_id: str) -> list[Person]:
    """Active people whose address on ``channel`` is this chat, oldest first."""
    column = getattr(Person, ADDRESS_FIELDS[channel].address)
    try:
        value: int | str = int(chat_id) if channel in NUMERIC_CHATS else chat_id
    except ValueError:
        return []
    query = select(Person).where(column == value, Person.active == True)  # noqa: E712
    return list(session.exec(query.order_by(col(Person.id))).all())


def person_channels(person: Person, configured: Collection[str]) -> tuple[str, ...]:
    """The person's usable channels that are configured here, preferred first."""
    return tuple(c for c in usable_channels(person) if c in configured)


def choose_channel(person: Person, configured: Collection[str]) -> str:
    """The person's first usable configured channel; else the console (embedded default)."""
    found = person_channels(person, configured)
    return found[0] if found else ChannelName.CONSOLE


def next_channel(person: Person, configured: Collection[str], current: str) -> str:
    """The channel after ``current`` in the person's order (cyclic); the same if only one."""
    found = person_channels(person, configured)
    if not found:
        return ChannelName.CONSOLE
    if current not in found:
        return found[0]
    return found[(found.index(current) + 1) % len(found)]
