"""Agency names as plans write them resolve to the directory entry they mean."""

from __future__ import annotations

import pytest

from notifier.errors import ResolveError
from notifier.plans.resolve import (
    AgencyEntry,
    AgencyIndex,
    GroupEntry,
    Match,
    MatchVia,
    fold,
    normalise,
)

# Ba Tơ district before July 2025, as an admin would configure it.
BA_TO_2024 = [
    AgencyEntry(
        "vp",
        "Văn phòng HĐND và UBND huyện",
        ("VP HĐND&UBND huyện", "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân huyện"),
    ),
    AgencyEntry("tckh", "Phòng Tài chính – Kế hoạch", ("TC-KH", "Phòng TC-KH")),
    AgencyEntry("ubnd", "Ủy ban nhân dân huyện", ("UBND huyện",)),
    AgencyEntry("vhtt", "Phòng Văn hóa và Thông tin"),
    AgencyEntry("tt-huyen-uy", "Thường trực Huyện ủy", ("TT Huyện ủy",)),
    AgencyEntry("ubmttq", "Ủy ban Mặt trận Tổ quốc Việt Nam huyện", ("UBMTTQVN huyện",)),
    AgencyEntry("thai-hoa", "UBND thị xã Thái Hòa"),
]
GROUPS = [
    GroupEntry(
        "lien-quan",
        "Các cơ quan, đơn vị có liên quan",
        ("Các cơ quan, đơn vị có liên quan của huyện Ba Tơ và thị xã Thái Hòa",),
    ),
    GroupEntry("xa-tt", "UBND các xã, thị trấn"),
    GroupEntry("hcsn", "Các cơ quan HC-SN thuộc UBND huyện"),
]
# A commune after 1 July 2025; "Ba Tơ" and "Ba Tô" are two communes.
COMMUNE_2025 = [
    AgencyEntry("ubnd-xa", "UBND xã", ("Ủy ban nhân dân xã",)),
    AgencyEntry("vp-xa", "Văn phòng HĐND và UBND xã"),
    AgencyEntry("kt", "Phòng Kinh tế"),
    AgencyEntry("vhxh", "Phòng Văn hóa - Xã hội"),
    AgencyEntry("ba-to-o", "UBND xã Ba Tơ"),
    AgencyEntry("ba-to-oo", "UBND xã Ba Tô"),
]


@pytest.fixture
def district() -> AgencyIndex:
    return AgencyIndex(BA_TO_2024, GROUPS)


@pytest.fixture
def commune() -> AgencyIndex:
    return AgencyIndex(COMMUNE_2025)


@pytest.mark.parametrize(
    "written",
    [
        "Văn phòng HĐND và UBND huyện",  # the sample plan, section II
        "Văn phòng HĐND&UBND huyện",  # the sample plan, "Nơi nhận"
        "VP HĐND và UBND huyện",
        "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân huyện",
        "Văn phòng Hội đồng nhân dân và Uỷ ban nhân dân huyện",  # old tone placement
        "VĂN PHÒNG HĐND VÀ UBND HUYỆN",
        "Văn phòng  HĐND  &  UBND huyện.",
        "Văn phòng HÐND và UBND huyện",  # Icelandic Eth typed for Đ
    ],
)
def test_every_spelling_of_the_office_resolves_to_it(district: AgencyIndex, written: str) -> None:
    match = district.resolve(written)
    assert match is not None and match.code == "vp" and not match.is_group


@pytest.mark.parametrize(
    "written",
    [
        "Phòng Tài chính – Kế hoạch",
        "Phòng Tài chính - Kế hoạch",
        "Phòng Tài chính—Kế hoạch",
        "Phòng Tài chính-Kế hoạch",
        "Phòng TC-KH",
        "Phòng TCKH",
        "TC-KH",
        "phòng tài chính – kế hoạch;",
    ],
)
def test_every_spelling_of_finance_resolves_to_it(district: AgencyIndex, written: str) -> None:
    match = district.resolve(written)
    assert match is not None and match.code == "tckh"


def test_exact_spelling_is_reported_as_exact(district: AgencyIndex) -> None:
    assert district.resolve("VP HĐND&UBND huyện") == Match("vp", False, MatchVia.EXACT)
    assert district.resolve("  UBND huyện ") == Match("ubnd", False, MatchVia.EXACT)


def test_abbreviation_matches_full_name_through_normalisation(district: AgencyIndex) -> None:
    assert district.resolve("Ủy ban nhân dân huyện") == Match("ubnd", False, MatchVia.EXACT)
    assert district.resolve("Uỷ ban nhân dân huyện") == Match("ubnd", False, MatchVia.NORMALISED)
    assert district.resolve("TT Huyện uỷ") == Match("tt-huyen-uy", False, MatchVia.NORMALISED)
    assert district.resolve("UBMTTQVN huyện").code == "ubmttq"  # type: ignore[union-attr]
    assert district.resolve("Phòng Văn hoá và Thông tin").code == "vhtt"  # type: ignore[union-attr]
    assert district.resolve("UBND thị xã Thái Hoà").code == "thai-hoa"  # type: ignore[union-attr]


def test_groups_resolve_as_groups(district: AgencyIndex) -> None:
    seed_phrase = "Các cơ quan, đơn vị có liên quan của huyện Ba Tơ và thị xã Thái Hòa"
    assert district.resolve(seed_phrase) == Match("lien-quan", True, MatchVia.EXACT)
    assert district.resolve("UBND các xã , thị trấn") == Match("xa-tt", True, MatchVia.NORMALISED)
    hcsn = district.resolve("Các cơ quan hành chính – sự nghiệp thuộc Ủy ban nhân dân huyện")
    assert hcsn == Match("hcsn", True, MatchVia.NORMALISED)


def test_accentless_name_resolves_only_through_folding(district: AgencyIndex) -> None:
    assert district.resolve("Phong Tai chinh - Ke hoach") == Match("tckh", False, MatchVia.FOLDED)
    assert district.resolve("van phong hdnd va ubnd huyen") == Match("vp", False, MatchVia.FOLDED)


def test_commune_agencies_after_2025_resolve(commune: AgencyIndex) -> None:
    assert commune.resolve("Ủy ban nhân dân xã") == Match("ubnd-xa", False, MatchVia.EXACT)
    assert commune.resolve("VP HĐND&UBND xã") == Match("vp-xa", False, MatchVia.NORMALISED)
    assert commune.resolve("Phòng Văn hoá – Xã hội") == Match("vhxh", False, MatchVia.NORMALISED)
    assert commune.resolve("phòng kinh tế") == Match("kt", False, MatchVia.NORMALISED)


def test_name_differing_from_two_agencies_only_by_accents_is_ambiguous(
    commune: AgencyIndex,
) -> None:
    assert commune.resolve("UBND xã Ba To") is None
    assert commune.resolve("UBND xã Ba Tô") == Match("ba-to-oo", False, MatchVia.EXACT)
    assert commune.resolve("Ủy ban nhân dân xã Ba Tơ") == Match(
        "ba-to-o", False, MatchVia.NORMALISED
    )


def test_trailing_level_word_is_tolerated(district: AgencyIndex) -> None:
    # The sample plan writes "Phòng Tài chính – Kế hoạch huyện" in III.3 and without "huyện"
    # elsewhere.
    assert district.resolve("Phòng Tài chính – Kế hoạch huyện") == Match(
        "tckh", False, MatchVia.NORMALISED
    )
    assert district.resolve("Phong Tai chinh - Ke hoach huyen") == Match(
        "tckh", False, MatchVia.FOLDED
    )


def test_duplicate_code_is_refused() -> None:
    with pytest.raises(ValueError, match="'vp'"):
        AgencyIndex(
            [AgencyEntry("vp", "Văn phòng HĐND và UBND huyện")], [GroupEntry("vp", "Văn phòng")]
        )


def test_unknown_and_empty_names_do_not_resolve(district: AgencyIndex) -> None:
    assert district.resolve("Sở Tài nguyên và Môi trường") is None
    assert district.resolve("   ") is None
    # A level word is data, not noise: the district office is not the commune office.
    assert AgencyIndex(COMMUNE_2025).resolve("Văn phòng HĐND và UBND huyện") is None


def test_suggestions_put_the_intended_agency_first(district: AgencyIndex) -> None:
    assert district.suggest("Phòng Tài chính Kế hoạch huyện")[0] == (
        "tckh",
        "Phòng Tài chính – Kế hoạch",
    )
    # The old name of the office is close to both the office and the People's Committee.
    assert "vp" in [code for code, _ in district.suggest("Văn phòng UBND huyện", n=2)]
    assert district.suggest("Phong Van hoa Thong tin", n=1) == [
        ("vhtt", "Phòng Văn hóa và Thông tin")
    ]


def test_suggestions_are_distinct_and_limited(district: AgencyIndex) -> None:
    codes = [code for code, _ in district.suggest("UBND huyện Ba Tơ", n=3)]
    assert len(codes) == len(set(codes)) <= 3
    assert codes[0] == "ubnd"
    assert district.suggest("xyz") == []


def test_two_agencies_claiming_the_same_alias_are_refused_naming_both() -> None:
    with pytest.raises(ValueError) as excinfo:
        AgencyIndex(
            [
                AgencyEntry("tckh", "Phòng Tài chính – Kế hoạch", ("TC-KH",)),
                AgencyEntry("kt", "Phòng Kinh tế", ("Phòng TC-KH", "Phòng tài chính - kế hoạch")),
            ]
        )
    message = str(excinfo.value)
    assert "tckh" in message and "kt" in message
    assert "Phòng Tài chính – Kế hoạch" in message and "Phòng Kinh tế" in message


def test_alias_colliding_only_after_normalisation_is_refused() -> None:
    with pytest.raises(ValueError, match="VP HĐND&UBND huyện"):
        AgencyIndex(
            [
                AgencyEntry("vp", "Văn phòng HĐND và UBND huyện"),
                AgencyEntry("other", "Văn phòng khác", ("VP HĐND&UBND huyện",)),
            ]
        )


def test_an_agency_may_repeat_its_own_spelling() -> None:
    index = AgencyIndex(
        [AgencyEntry("vp", "Văn phòng HĐND và UBND huyện", ("VP HĐND và UBND huyện",))]
    )
    assert index.resolve("Văn phòng HĐND&UBND huyện") == Match("vp", False, MatchVia.NORMALISED)


def test_group_phrase_colliding_with_agency_alias_is_refused() -> None:
    with pytest.raises(ValueError, match="ubnd"):
        AgencyIndex([AgencyEntry("ubnd", "UBND huyện")], [GroupEntry("g", "Ủy ban nhân dân huyện")])


def test_resolve_all_lists_every_miss_with_suggestions(district: AgencyIndex) -> None:
    with pytest.raises(ResolveError) as excinfo:
        district.resolve_all(["UBND huyện", "Phòng Tài chính Kế hoạch huyện", "Sở Y tế"])
    problems = excinfo.value.problems
    assert len(problems) == 2
    assert "Phòng Tài chính Kế hoạch huyện" in problems[0]
    assert "Phòng Tài chính – Kế hoạch (tckh)" in problems[0]
    found = district.resolve_all(["UBND huyện", "VP HĐND&UBND huyện"])
    assert {m.code for m in found.values()} == {"ubnd", "vp"}


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Văn phòng HĐND&UBND huyện", "văn phòng hội đồng nhân dân và ủy ban nhân dân huyện"),
        ("Phòng Tài chính – Kế hoạch", "phòng tài chính - kế hoạch"),
        ("Phòng TC-KH", "phòng tài chính - kế hoạch"),
        (
            "UBMTTQVN và các Hội đoàn thể huyện",
            "ủy ban mặt trận tổ quốc việt nam và các hội đoàn thể huyện",
        ),  # noqa: E501
        ("Đ/c Võ Phiên - PCT UBND tỉnh", "võ phiên - phó chủ tịch ủy ban nhân dân tỉnh"),
        ("TT HĐND huyện", "thường trực hội đồng nhân dân huyện"),
        ("Thị xã Thái Hoà", "thị xã thái hòa"),
        ("Sở KH&ĐT", "sở kế hoạch và đầu tư"),
        ("  - Phòng Kinh tế ;", "phòng kinh tế"),
    ],
)
def test_normalise_canonical_forms(written: str, expected: str) -> None:
    assert normalise(written) == expected


def test_normalise_moves_old_tone_marks_only_on_open_syllables() -> None:
    assert normalise("thuỷ lợi, khoẻ, hoà") == "thủy lợi, khỏe, hòa"
    assert normalise("Hoàng, quý, khuyến, hoạch, toán") == "hoàng, quý, khuyến, hoạch, toán"


def test_normalise_keeps_words_that_contain_abbreviation_letters() -> None:
    assert normalise("Trung tâm Văn hóa - Thể thao") == "trung tâm văn hóa - thể thao"
    assert normalise("Kho bạc") == "kho bạc"


def test_fold_strips_accents_and_d_bar() -> None:
    assert fold("Đội Quản lý thị trường") == "doi quan ly thi truong"
    assert fold("UBND xã Ba Tơ") == fold("UBND xã Ba Tô") == "uy ban nhan dan xa ba to"
