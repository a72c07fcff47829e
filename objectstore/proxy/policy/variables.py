"""Policy variables (`${aws:username}`, `${s3:prefix}`, `${key, 'default'}`, and
`${*}` `${?}` `${$}` for those characters), in Resource and in string conditions, under
Version 2012-10-17 only (2008-10-17 reads them as literal text).

A value is parsed once into a `Template`; without variables it is compiled once, with
them it is rendered per request from the request's condition keys."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from objectstore.proxy.policy.wildcards import compile_glob, glob_regex

VARIABLE = re.compile(r"\$\{([^}]*)\}")
LITERALS = {"*": "*", "?": "?", "$": "$"}
Keys = Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class Variable:
    key: str                  # lower-cased condition key
    default: str | None


Part = str | Variable        # text (wildcards live in it), or a variable


@dataclass(frozen=True)
class Template:
    text: str
    parts: tuple[Part | tuple[str], ...]     # a 1-tuple is a literal character

    @property
    def has_variables(self) -> bool:
        return any(isinstance(p, Variable) for p in self.parts)

    @property
    def is_plain(self) -> bool:
        """No variable and no `${*}`-style literal: the text is the pattern itself."""
        return all(isinstance(p, str) for p in self.parts)

    def render(self, keys: Keys) -> str | None:
        """The text with each variable's value (None when one has no value): what
        StringEquals compares and what may not hold wildcards."""
        return self._join(keys, _same, _same)

    def pattern(self, keys: Keys, ignore_case: bool = False) -> re.Pattern[str] | None:
        """The wildcard pattern, variables' values (and `${*}`) standing for
        themselves; None when a variable has no value (it then matches nothing)."""
        if self.is_plain:
            return compile_glob(self.text, ignore_case)
        regex = self._join(keys, glob_regex, re.escape)
        if regex is None:
            return None
        return re.compile(regex, re.DOTALL | (re.IGNORECASE if ignore_case else 0))

    def _join(self, keys: Keys, text: Callable[[str], str], literal: Callable[[str], str]
              ) -> str | None:
        """The parts joined: text through `text`, literal characters and variables'
        values through `literal`; None if a variable has no value."""
        out = []
        for part in self.parts:
            if isinstance(part, Variable):
                value = _value(part, keys)
                if value is None:
                    return None
                out.append(literal(value))
            elif isinstance(part, tuple):
                out.append(literal(part[0]))
            else:
                out.append(text(part))
        return "".join(out)

    def as_glob(self) -> str:
        """The pattern with every variable read as `*` (what it could stand for)."""
        out = []
        for part in self.parts:
            if isinstance(part, Variable):
                out.append("*")
            elif isinstance(part, tuple):
                out.append("?")       # one character, whichever
            else:
                out.append(part)
        return "".join(out)


def _same(text: str) -> str:
    return text


def _value(var: Variable, keys: Keys) -> str | None:
    values = keys.get(var.key)
    if values:
        return values[0]
    return var.default


def parse_template(text: str, variables: bool) -> Template:
    """`variables` is False under Version 2008-10-17: `${...}` is then plain text."""
    if not variables or "${" not in text:
        return Template(text, (text,))
    parts: list[Part | tuple[str]] = []
    last = 0
    for match in VARIABLE.finditer(text):
        if match.start() > last:
            parts.append(text[last:match.start()])
        inner = match[1].strip()
        if inner in LITERALS:
            parts.append((LITERALS[inner],))
        else:
            name, _, default = inner.partition(",")
            parts.append(Variable(name.strip().lower(), _default(default)))
        last = match.end()
    if last < len(text):
        parts.append(text[last:])
    return Template(text, tuple(parts))


def _default(text: str) -> str | None:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1]
    return None
