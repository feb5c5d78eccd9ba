"""The Vietnamese catalogue (locale/vi) is complete, compiled and safe to format.

Vietnamese is the default language (DESIGN.md §4): an untranslated or fuzzy entry shows English
to a commune official, a stale .mo shows old wording (the .mo is committed because a fresh
machine may lack gettext), and a placeholder lost in translation raises KeyError at render time.
No database needed.
"""

import ast
import gettext
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

LC_MESSAGES = Path(__file__).resolve().parents[2] / "locale" / "vi" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"


@dataclass
class Entry:
    line: int
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        return f"django.po:{self.line} msgid {self.msgid!r}"


_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")\s*$")


def _unquote(text: str) -> str:
    # PO strings use C escapes (\n, \", \\, \t), which a Python string literal reads the same way.
    return ast.literal_eval(text)


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file, header (msgid "") first; obsolete (#~) entries are skipped."""
    entries: list[Entry] = []
    current: Entry | None = None
    flags: set[str] = set()
    target: tuple[str, int | None] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#,"):
            flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            continue
        if line.startswith("#"):
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, index, value = match.group(1), match.group(2), _unquote(match.group(3))
            starts_entry = keyword == "msgctxt" or (
                keyword == "msgid" and (current is None or current.msgctxt is None or current.msgstr)
            )
            if starts_entry:
                current = Entry(line=number, flags=flags)
                entries.append(current)
                flags = set()
            assert current is not None, f"django.po:{number}: {keyword} before any msgid"
            if keyword.startswith("msgstr"):
                target = ("msgstr", int(index) if index is not None else 0)
                current.msgstr[target[1]] = value
            else:
                target = (keyword, None)
                setattr(current, keyword, value)
        elif line.startswith('"') and current is not None and target is not None:
            name, index = target
            if name == "msgstr":
                current.msgstr[index] += _unquote(line)
            else:
                setattr(current, name, getattr(current, name) + _unquote(line))
        else:
            raise AssertionError(f"django.po:{number}: cannot parse {raw!r}")
    return entries


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    assert PO_FILE.exists(), f"{PO_FILE} is missing: run makemessages --locale vi"
    parsed = parse_po(PO_FILE)
    assert parsed and parsed[0].msgid == "", "the catalogue has no header entry"
    return parsed


def _messages(entries: list[Entry]) -> list[Entry]:
    return entries[1:]


def test_header_declares_vietnamese_utf8_and_one_plural_form(entries):
    header = entries[0].msgstr[0]
    assert "Language: vi\n" in header
    assert "charset=UTF-8" in header
    assert "Plural-Forms: nplurals=1; plural=0;" in header


def test_every_message_is_translated_and_none_is_fuzzy(entries):
    assert len(_messages(entries)) > 50, "the catalogue looks truncated"
    fuzzy = [e.label for e in entries if "fuzzy" in e.flags]
    assert not fuzzy, "fuzzy entries (review, then remove the flag):\n" + "\n".join(fuzzy)
    untranslated = [e.label for e in _messages(entries) if not e.msgstr or not all(e.msgstr.values())]
    assert not untranslated, "untranslated entries:\n" + "\n".join(untranslated)


def test_plural_entries_have_exactly_one_form(entries):
    wrong = [e.label for e in _messages(entries) if e.msgid_plural is not None and set(e.msgstr) != {0}]
    assert not wrong, "Vietnamese has one plural form (msgstr[0] only):\n" + "\n".join(wrong)


# %(name)s, %s, %d, %.1f ... (not the literal %%); {{ var }} of templates; str.format's {name}.
_PERCENT = re.compile(r"%(?:\([^)]+\))?[#0+-]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa%]")
_TEMPLATE_VAR = re.compile(r"\{\{\s*(.*?)\s*\}\}")
_BRACE = re.compile(r"(?<!\{)\{[A-Za-z_][A-Za-z0-9_.]*(?:![rsa])?(?::[^{}]*)?\}(?!\})")


def placeholders(text: str) -> Counter:
    found = Counter(p for p in _PERCENT.findall(text) if p != "%%")
    found.update("{{ " + v + " }}" for v in _TEMPLATE_VAR.findall(text))
    found.update(_BRACE.findall(_TEMPLATE_VAR.sub("", text)))
    return found


def test_placeholder_pattern_itself():
    text = "%(unit)s: %s of %d, 100%% {{ counter }} {{counter}} {name} {{ x }}"
    assert placeholders(text) == Counter(
        {"%(unit)s": 1, "%s": 1, "%d": 1, "{{ counter }}": 2, "{name}": 1, "{{ x }}": 1}
    )


def test_placeholders_survive_translation(entries):
    problems = []
    for entry in _messages(entries):
        source = placeholders(entry.msgid)
        if entry.msgid_plural is not None:
            source |= placeholders(entry.msgid_plural)
        for index, text in entry.msgstr.items():
            if not text:
                continue  # reported by the completeness test
            target = placeholders(text)
            lost = sorted(set(source) - set(target))
            added = sorted(set(target) - set(source))
            if lost or added:
                problems.append(f"{entry.label} msgstr[{index}]: lost {lost}, added {added}")
    assert not problems, "placeholders differ between msgid and msgstr:\n" + "\n".join(problems)


def test_committed_mo_is_compiled_from_the_po(tmp_path):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (gettext) is not installed, so the .po cannot be compiled to compare")
    assert MO_FILE.exists(), f"{MO_FILE} is missing: run compilemessages --locale vi and commit it"
    fresh = tmp_path / "django.mo"
    # Fixed arguments, no shell: the same call that compilemessages makes.
    subprocess.run([msgfmt, "--check-format", "-o", str(fresh), str(PO_FILE)], check=True)  # noqa: S603
    with MO_FILE.open("rb") as committed_file, fresh.open("rb") as fresh_file:
        committed = gettext.GNUTranslations(committed_file)._catalog
        expected = gettext.GNUTranslations(fresh_file)._catalog
    stale = sorted(str(k) for k in committed.keys() ^ expected.keys())
    stale += sorted(str(k) for k in committed.keys() & expected.keys() if committed[k] != expected[k])
    assert committed == expected, (
        "locale/vi/LC_MESSAGES/django.mo is out of date with django.po; run "
        "`manage.py compilemessages --locale vi` and commit the .mo. Differing keys:\n" + "\n".join(stale)
    )
