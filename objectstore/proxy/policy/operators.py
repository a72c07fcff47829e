"""The condition operators' comparisons: each family parses the policy's values once
and answers whether one request value matches any of them (the positive test; the
negated operators are its negation, applied in conditions.py)."""

from __future__ import annotations

import base64
import binascii
import ipaddress
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from objectstore.proxy.policy import errors
from objectstore.proxy.policy.variables import Keys, Template, parse_template
from objectstore.proxy.policy.wildcards import compile_glob

# one request value, the request's keys (for variables) -> does it match?
Test = Callable[[str, Keys], bool]


def string_test(kind: str, values: list[str], variables: bool) -> Test:
    """kind: 'equals', 'equalsignorecase' or 'like'."""
    templates = [parse_template(v, variables) for v in values]
    dynamic = [t for t in templates if t.has_variables]
    if kind == "like":
        static = [t.pattern({}) for t in templates if not t.has_variables]

        def like(value: str, keys: Keys) -> bool:
            if any(p is not None and p.fullmatch(value) for p in static):
                return True
            return any(_like(t, value, keys) for t in dynamic)
        return like
    fold = kind == "equalsignorecase"
    fixed = frozenset(_fold(t.render({}) or "", fold) for t in templates
                      if not t.has_variables)

    def equals(value: str, keys: Keys) -> bool:
        if _fold(value, fold) in fixed:
            return True
        return any(_fold(t.render(keys), fold) == _fold(value, fold) for t in dynamic)
    return equals


def _like(template: Template, value: str, keys: Keys) -> bool:
    pattern = template.pattern(keys)
    return pattern is not None and pattern.fullmatch(value) is not None


def _fold(text: str | None, fold: bool) -> str | None:
    return text.casefold() if fold and text is not None else text


def numeric_test(kind: str, operator: str, values: list[str]) -> Test:
    numbers = [_number(v, operator) for v in values]
    compare = _COMPARE[kind]

    def test(value: str, keys: Keys) -> bool:
        try:
            got = Decimal(value.strip())
        except InvalidOperation:
            return False
        return got.is_finite() and any(compare(got, n) for n in numbers)
    return test


def date_test(kind: str, operator: str, values: list[str]) -> Test:
    dates = [_date(v, operator) for v in values]
    compare = _COMPARE[kind]

    def test(value: str, keys: Keys) -> bool:
        try:
            got = parse_date(value)
        except ValueError:
            return False
        return any(compare(got, d) for d in dates)
    return test


def bool_test(operator: str, values: list[str]) -> Test:
    wanted = set()
    for v in values:
        if v.lower() not in ("true", "false"):
            raise errors.MalformedPolicy(errors.invalid_value(operator, v))
        wanted.add(v.lower())
    return lambda value, keys: value.strip().lower() in wanted


def binary_test(operator: str, values: list[str]) -> Test:
    decoded = set()
    for v in values:
        try:
            decoded.add(base64.b64decode(v, validate=True))
        except (binascii.Error, ValueError):
            raise errors.MalformedPolicy(errors.invalid_value(operator, v)) from None

    def test(value: str, keys: Keys) -> bool:
        try:
            return base64.b64decode(value, validate=True) in decoded
        except (binascii.Error, ValueError):
            return False
    return test


def ip_test(values: list[str]) -> Test:
    networks = []
    for v in values:
        try:
            networks.append(ipaddress.ip_network(v.strip(), strict=False))
        except ValueError:
            raise errors.MalformedPolicy(errors.INVALID_IP) from None

    def test(value: str, keys: Keys) -> bool:
        address = _address(value)
        return address is not None and any(
            address.version == n.version and address in n for n in networks)
    return test


@lru_cache(maxsize=1024)
def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """A request's address, parsed once for the many conditions that read it."""
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def arn_test(operator: str, values: list[str], variables: bool) -> Test:
    """ArnEquals and ArnLike alike: each of the six colon-separated parts compared on
    its own, wildcards allowed in each, case-sensitive."""
    templates = []
    for v in values:
        if len(v.split(":", 5)) != 6 or not v.startswith("arn:"):
            raise errors.MalformedPolicy(errors.invalid_value(operator, v))
        templates.append(parse_template(v, variables))

    def test(value: str, keys: Keys) -> bool:
        parts = value.split(":", 5)
        if len(parts) != 6:
            return False
        for template in templates:
            text = template.render(keys) if template.has_variables else template.text
            if text is not None and all(
                    compile_glob(p).fullmatch(q) for p, q in
                    zip(text.split(":", 5), parts, strict=True)):
                return True
        return False
    return test


def parse_date(text: str) -> float:
    """Seconds since the epoch of an ISO 8601 date or time, or of an epoch number."""
    text = text.strip()
    try:
        return float(Decimal(text))
    except InvalidOperation:
        pass
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _date(value: str, operator: str) -> float:
    try:
        return parse_date(value)
    except (ValueError, OverflowError):
        raise errors.MalformedPolicy(errors.invalid_value(operator, value)) from None


def _number(value: str, operator: str) -> Decimal:
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise errors.MalformedPolicy(errors.invalid_value(operator, value))
    return number


_COMPARE: dict[str, Callable[[object, object], bool]] = {
    "equals": lambda a, b: a == b,
    "lessthan": lambda a, b: a < b,              # type: ignore[operator]
    "lessthanequals": lambda a, b: a <= b,       # type: ignore[operator]
    "greaterthan": lambda a, b: a > b,           # type: ignore[operator]
    "greaterthanequals": lambda a, b: a >= b,    # type: ignore[operator]
}
