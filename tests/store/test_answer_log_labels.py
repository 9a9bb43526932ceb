"""The log's task column says what a message without a deadline is about, never its key."""

from notifier.status import task_label, what_about


def test_a_compiled_report_names_its_period_and_a_digest_its_day() -> None:
    assert what_about("compiled:1:6 tháng đầu năm 2026") == "6 tháng đầu năm 2026"
    assert what_about("digest:2024-05-02") == "ngày 02/5/2024"


def test_other_keys_leave_the_column_to_the_kind() -> None:
    for key in ("test:0b8f…", "catchup:2024-05-02T01:00:00+00:00", "outage:email:x", "digest:?"):
        assert what_about(key) == ""


def test_a_task_is_named_by_its_plan_number_or_the_plan_id_never_the_key() -> None:
    assert task_label("II.1", 3, " 24/KH-UBND ") == "II.1 (24/KH-UBND)"
    for draft in ("", "  ", "/KH-UBND"):  # a draft's number, as plan_number reads it
        assert task_label("II.1", 3, draft) == "II.1 (kế hoạch 3, chưa có số)"
