"""Text as people may type it, made safe for one line or for paragraphs (a leaf module).

Stored text ends up in places with stricter rules than a web page: a mail header
may not hold a line break, an iCalendar content line may not hold a raw one, and
RFC 5545 allows no control character but tab in text at all. Forms normalise what
comes in, a migration cleaned what was stored before, and the feed and mail
builders pass text through these again, so a row written some other way (the
shell, an import, an old version) can never break a calendar or a mail.
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls, and the Unicode line and paragraph separators, which
# mail and calendar readers (and Python's splitlines) also take for line breaks.
_CONTROLS = "\x00-\x1f\x7f-\x9f\u2028\u2029"
_LINE_BREAKS_AND_CONTROLS = re.compile(f"[ \t]*[{_CONTROLS}][{_CONTROLS} \t]*")
_NEWLINES = re.compile("\r\n?|[\x85\u2028\u2029]")
_OTHER_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def one_line(text: str) -> str:
    """Text for one line: each run of line breaks and control characters (with the
    spaces around it) becomes one space, so "Pandas\\r\\nfor all" reads "Pandas for
    all"; white space at either end goes."""
    return _LINE_BREAKS_AND_CONTROLS.sub(" ", text).strip()


def paragraphs(text: str) -> str:
    """Text with line breaks kept: every kind of line break becomes "\\n", tabs stay,
    and the other control characters go."""
    return _OTHER_CONTROLS.sub("", _NEWLINES.sub("\n", text))
