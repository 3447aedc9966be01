"""Text normalisation (kit/text.py) removes what a reader cannot see: zero-width characters, and the
bidirectional marks, embeddings, overrides and isolates that make text display in another order than it is
stored (a name shown as "nA năV nễyugN", an answer hiding its real content)."""

import pytest

from kit.text import INVISIBLE_CHARACTERS, clean_multiline, clean_text, match_key, nfc

DIRECTION = [chr(c) for c in (0x200E, 0x200F, 0x061C, *range(0x202A, 0x202F), *range(0x2066, 0x206A))]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]


@pytest.mark.parametrize("char", DIRECTION + ZERO_WIDTH, ids=lambda c: f"U+{ord(c):04X}")
def test_every_normaliser_removes_the_invisible_character(char):
    assert clean_text(f"Nguyễn Văn {char}An{char}") == "Nguyễn Văn An"
    assert clean_text(f"Le Van {char}An") == "Le Van An"  # ASCII around it
    assert clean_multiline(f" Ý kiến{char}:\n  chậm {char}quá ") == "Ý kiến:\n  chậm quá"
    assert nfc({f"k{char}": [f"Tư{char} pháp", 3]}) == {"k": ["Tư pháp", 3]}
    assert match_key(f"Sở {char}Tư pháp") == "so tu phap"


def test_the_pattern_covers_exactly_the_direction_and_zero_width_characters():
    invisible = {chr(c) for c in range(0x10000) if INVISIBLE_CHARACTERS.fullmatch(chr(c))}
    assert invisible == set(DIRECTION + ZERO_WIDTH)


def test_multiline_text_keeps_its_lines_and_drops_control_characters():
    decomposed = "Tie\u0302\u0301ng Vie\u0323\u0302t"
    assert clean_multiline(f"  {decomposed}\x00\r\ndòng 2\t ") == "Tiếng Việt\r\ndòng 2"
    assert clean_multiline(None) == ""
