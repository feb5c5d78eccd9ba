"""core.text.fold: the key of every diacritic-blind search (DESIGN.md §4)."""

import pytest

from core.text import fold


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Phường Bích Động", "phuong bich dong"),
        ("ĐĂNG KÝ", "dang ky"),
        ("Quy trình", "quy trinh"),
        ("đ Đ", "d d"),
        ("  Thị   trấn\tNếnh ", "thi tran nenh"),
        ("1.001193", "1.001193"),
        ("", ""),
        (None, ""),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_fold_is_the_same_for_composed_and_decomposed_input():
    import unicodedata

    composed = "Phường Bích Động"
    assert fold(unicodedata.normalize("NFD", composed)) == fold(composed) == "phuong bich dong"
