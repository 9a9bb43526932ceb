"""ZNS addresses: the person's phone; a dead number is remembered per channel and
forgotten when the directory gives a new one."""

from __future__ import annotations

from notifier.admin import person_values
from notifier.directory import PersonConfig
from notifier.store.addresses import (
    address_of,
    choose_channel,
    is_usable,
    mark_unusable,
    next_channel,
)
from notifier.store.models import Person
from notifier.vocab import ChannelName

ZNS, EMAIL = ChannelName.ZNS, ChannelName.EMAIL
CONFIGURED = frozenset({ChannelName.ZALO, ZNS, EMAIL, ChannelName.CONSOLE})


def person(**extra: object) -> Person:
    fields: dict[str, object] = {
        "key": "vp.chanh", "agency_id": 1, "name": "Trần Văn Minh",
        "email": "minh.tv@batu.example", "phone": "0912 345 678",
        "channels": [ChannelName.ZALO, ZNS, EMAIL],
    }  # fmt: skip
    fields.update(extra)
    return Person(**fields)


def test_zns_is_sent_to_the_phone_and_skips_an_unlinked_zalo() -> None:
    p = person()
    assert address_of(p, ZNS) == "0912 345 678"
    assert choose_channel(p, CONFIGURED) == ZNS


def test_without_a_phone_zns_is_skipped() -> None:
    assert not is_usable(person(phone=None), ZNS)
    assert choose_channel(person(phone=None), CONFIGURED) == EMAIL


def test_a_dead_number_falls_back_to_the_next_channel_and_keeps_the_phone() -> None:
    p = person()
    mark_unusable(p, ZNS, "ZNS error -108: Phone number invalid")
    assert p.phone == "0912 345 678" and "-108" in p.addresses_unusable[ZNS]
    assert choose_channel(p, CONFIGURED) == EMAIL
    assert next_channel(p, CONFIGURED, ZNS) == EMAIL


def test_a_new_phone_in_the_directory_makes_zns_usable_again() -> None:
    current = person(addresses_unusable={ZNS: "ZNS error -108"})
    same = PersonConfig(
        key="vp.chanh", agency="vp", name="Trần Văn Minh", phone="0912 345 678",
        email="minh.tv@batu.example", channels=[ChannelName.ZALO, ZNS, EMAIL],
    )  # fmt: skip
    assert "addresses_unusable" not in person_values(same, 1, current)
    changed = same.model_copy(update={"phone": "0987 654 321"})
    assert person_values(changed, 1, current)["addresses_unusable"] == {}
