"""Text helpers shared by every app."""

import unicodedata


def fold(text: str | None) -> str:
    """Fold Vietnamese text for search: lower case, no diacritics, đ → d.

    `fold("Phường Bích Động") == "phuong bich dong"`, so a query typed without accents (as
    officials often do on a keyboard without a Vietnamese input method) finds the record.
    Stored beside the name in an indexed column, it works the same on SQLite and PostgreSQL.
    """
    if not text:
        return ""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())
