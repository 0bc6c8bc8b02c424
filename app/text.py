"""The text the platform keeps and shows.

A citizen's comment or an imported text is stored as ``clean_text`` makes it: Unicode in
NFC, line breaks as LF, no control character but LF and TAB (a pasted vertical tab or a
bare CR becomes a space or a line break, not a refusal). A lone surrogate is not text and
is refused at the boundary. ``displayable`` makes any stored string safe for every
renderer (a workbook refuses control characters; a CSV reader splits a row at a bare CR),
so text stored before these rules, or written outside the platform, never stops a report.
"""

import re
import unicodedata

# Opens a CSV for Excel users: without it Excel reads UTF-8 as the local code page, and
# Vietnamese turns to mojibake.
UTF8_BOM = "\ufeff"
_LINE_BREAK = re.compile(r"\r\n?")
# C0 and C1 controls but TAB and LF; DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
NOT_UNICODE = "is not valid Unicode text (it holds a lone surrogate)"


def has_surrogate(value: str) -> bool:
    return _SURROGATE.search(value) is not None


def surrogate_paths(value: object, path: str = "") -> list[str]:
    """Where a decoded JSON document holds a lone surrogate: dotted paths to its strings.

    >>> surrogate_paths({"slug": "a", "answers": {"comment": "x\\ud800"}})
    ['answers.comment']
    """
    if isinstance(value, str):
        return [path or "(body)"] if has_surrogate(value) else []
    if isinstance(value, dict):
        items = [(f"{path}.{key}" if path else str(key), item) for key, item in value.items()]
    elif isinstance(value, list):
        items = [(f"{path}[{index}]", item) for index, item in enumerate(value)]
    else:
        return []
    return [found for where, item in items for found in surrogate_paths(item, where)]


def is_whole_number(text: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also accepts "²" and "٣", which ``int`` refuses.

    >>> is_whole_number("12"), is_whole_number("²"), is_whole_number("")
    (True, False, False)
    """
    return text.isascii() and text.isdigit()


def clean_text(value: str) -> str:
    """``value`` as the platform stores it; ValueError when it is not Unicode text.

    >>> clean_text("Chậm\\u000b trễ\\r\\nquá\\rlâu")
    'Chậm  trễ\\nquá\\nlâu'
    """
    if has_surrogate(value):
        raise ValueError(NOT_UNICODE)
    return unicodedata.normalize("NFC", _CONTROL.sub(" ", _LINE_BREAK.sub("\n", value)))


def displayable(value: str) -> str:
    """Any string, as every format can show it: a lone surrogate becomes U+FFFD.

    >>> displayable("a\\ud800\\x0bb")
    'a\ufffd b'
    """
    return clean_text(_SURROGATE.sub("\ufffd", value))


_FORMULA_START = ("=", "+", "-", "@")
_LEADING = " \t\n\u00a0\u3000"


def safe_cell(value: object) -> object:
    """A spreadsheet cell: text that a CSV reader reads as one field and a spreadsheet
    shows as text, never runs as a formula (also after leading blanks or controls).

    >>> safe_cell(" \\x0b=cmd"), safe_cell("Tốt\\r=1+1"), safe_cell(4)
    ("'  =cmd", 'Tốt\\n=1+1', 4)
    """
    if not isinstance(value, str):
        return value
    text = displayable(value)
    if text.startswith(("\t", "\n")) or text.lstrip(_LEADING).startswith(_FORMULA_START):
        return "'" + text
    return text


# Vietnamese alphabetical order: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y,
# then the tones (none, huyền, hỏi, ngã, sắc, nặng) break ties.
_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_LETTER_MARKS = {"\u0306": "ă", "\u0302": "^", "\u031b": "'"}  # breve, circumflex, horn
_WITH_MARK = {("a", "^"): "â", ("e", "^"): "ê", ("o", "^"): "ô", ("o", "'"): "ơ", ("u", "'"): "ư"}


def vietnamese_key(text: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """A sort key in Vietnamese dictionary order.

    >>> sorted(["Xây dựng", "Đất đai", "Đầu tư", "Y tế", "Dân cư", "Ăn uống"], key=vietnamese_key)
    ['Ăn uống', 'Dân cư', 'Đất đai', 'Đầu tư', 'Xây dựng', 'Y tế']
    """
    letters: list[int] = []
    tones: list[int] = []
    for character in text.casefold():
        decomposed = unicodedata.normalize("NFD", character)
        base, marks = decomposed[0], decomposed[1:]
        tone = 0
        for mark in marks:
            if mark in _TONES:
                tone = _TONES[mark]
            elif mark == "\u0306" and base == "a":
                base = "ă"
            elif mark in _LETTER_MARKS:
                base = _WITH_MARK.get((base, _LETTER_MARKS[mark]), base)
        position = _LETTERS.find(base)
        letters.append(position if position >= 0 else len(_LETTERS) + ord(base))
        tones.append(tone)
    return tuple(letters), tuple(tones)


def folded(text: str) -> str:
    """Lower case without diacritics, đ as d: how a search matches Vietnamese typed with or
    without its marks.

    >>> folded("Đất ĐAI, thủ tục rườm rà") == folded("dat dai, thu tuc ruom ra")
    True
    """
    return folded_keep_case(text).casefold()


def folded_keep_case(text: str) -> str:
    """The letters without their marks, case kept (Đ as D): Vietnamese for a plain SMS.

    >>> folded_keep_case("Phường Thành Đông")
    'Phuong Thanh Dong'
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))
