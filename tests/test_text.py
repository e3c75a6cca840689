"""Terminal escape sequences and control characters never survive input."""

from warroom.text import clean_block, clean_line


def test_escape_sequences_are_removed():
    assert clean_line("a\x1b[31mred\x1b[0m b") == "ared b"
    assert clean_line("x\x1b]0;owned\x07y") == "xy"  # OSC ended by BEL
    assert clean_line("x\x1b]8;;http://e\x1b\\link\x1b]8;;\x1b\\y") == "xlinky"  # OSC, ST
    assert clean_line("x\x9b2Jy") == "xy"  # 8-bit CSI
    assert clean_line("x\x1bPqdcs\x1b\\y") == "xy"  # DCS
    assert clean_line("lone\x1b") == "lone"
    assert clean_line("bell\x07 nul\x00 del\x7f c1\x85") == "bell nul del c1"


def test_text_is_kept_as_typed_otherwise():
    assert clean_line("  [bold]x[/] [@click=app.quit] é 漢字 🚨  ") == (
        "[bold]x[/] [@click=app.quit] é 漢字 🚨")
    assert clean_line("two\nlines\tand tab") == "two lines and tab"


def test_blocks_keep_lines():
    assert clean_block("  first\r\nsecond\x1b[2K  \n\n") == "first\nsecond"
