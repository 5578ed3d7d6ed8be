"""Characters XML 1.0 cannot carry, even as character references.

XML 1.0 allows only tab, line feed, carriage return and U+0020–U+D7FF, U+E000–U+FFFD,
U+10000–U+10FFFF. A label with U+0000, U+0001 or U+000B written into GraphML, SVG or SPARQL
XML results makes the whole file unreadable, so writers either replace such characters
(pictures and graph files, where the text is shown) or refuse (results, which must be exact).

>>> xml_safe("a\\x01b")
'a\\ufffdb'
>>> first_invalid("ok\\x0b")
'U+000B'
"""

from __future__ import annotations

import re

__all__ = ["INVALID_XML", "xml_safe", "first_invalid"]

INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """``text`` with every character XML 1.0 cannot carry replaced by U+FFFD."""
    return INVALID_XML.sub("\ufffd", text)


def first_invalid(text: str) -> str | None:
    """The first character XML 1.0 cannot carry, as ``U+XXXX``, or None."""
    found = INVALID_XML.search(text)
    return f"U+{ord(found.group()):04X}" if found else None
