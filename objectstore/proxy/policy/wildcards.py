"""IAM's wildcards: `*` any run of characters (slashes and colons included), `?` any one
character, everything else literal. Compiled once into a regular expression."""

from __future__ import annotations

import re
from functools import lru_cache


def glob_regex(pattern: str) -> str:
    """The regular expression text (unanchored) that `pattern` stands for."""
    out = []
    for char in pattern:
        if char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        else:
            out.append(re.escape(char))
    return "".join(out)


@lru_cache(maxsize=4096)
def compile_glob(pattern: str, ignore_case: bool = False) -> re.Pattern[str]:
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile(glob_regex(pattern), flags)


def matches(pattern: str, text: str, ignore_case: bool = False) -> bool:
    return compile_glob(pattern, ignore_case).fullmatch(text) is not None


def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def can_match_with_prefix(pattern: str, prefix: str) -> bool:
    """Whether some string that starts with `prefix` matches `pattern`: the pattern's
    positions still reachable once `prefix` is consumed (a small NFA walk)."""
    states = _closure(pattern, {0})
    for char in prefix:
        step = set()
        for i in states:
            if i < len(pattern):
                token = pattern[i]
                if token == "*":
                    step.add(i)
                elif token == "?" or token == char:
                    step.add(i + 1)
        states = _closure(pattern, step)
        if not states:
            return False
    return True


def _closure(pattern: str, states: set[int]) -> set[int]:
    """Add the positions after each `*` (which may match nothing)."""
    todo, seen = list(states), set(states)
    while todo:
        i = todo.pop()
        if i < len(pattern) and pattern[i] == "*" and i + 1 not in seen:
            seen.add(i + 1)
            todo.append(i + 1)
    return seen
