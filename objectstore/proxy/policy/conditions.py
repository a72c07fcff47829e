"""A statement's Condition block: `{operator: {key: value or [values]}}`.

Several values of one key are OR-ed (NOR-ed for a negated operator), several keys and
operators AND-ed. A key absent from the request fails a positive operator and passes a
negated one; `...IfExists` passes when it is absent; `Null` tests presence itself.
`ForAnyValue:` needs one request value to pass, `ForAllValues:` every one (and passes
when there is none)."""

from __future__ import annotations

from dataclasses import dataclass

from objectstore.proxy.policy import errors, operators
from objectstore.proxy.policy.condition_keys import check_key
from objectstore.proxy.policy.variables import Keys

# operator -> (family, kind, negated)
BASE: dict[str, tuple[str, str, bool]] = {
    "StringEquals": ("string", "equals", False),
    "StringNotEquals": ("string", "equals", True),
    "StringEqualsIgnoreCase": ("string", "equalsignorecase", False),
    "StringNotEqualsIgnoreCase": ("string", "equalsignorecase", True),
    "StringLike": ("string", "like", False),
    "StringNotLike": ("string", "like", True),
    "Bool": ("bool", "", False),
    "BinaryEquals": ("binary", "", False),
    "IpAddress": ("ip", "", False),
    "NotIpAddress": ("ip", "", True),
    "ArnEquals": ("arn", "", False),
    "ArnLike": ("arn", "", False),
    "ArnNotEquals": ("arn", "", True),
    "ArnNotLike": ("arn", "", True),
    "Null": ("null", "", False),
}
for _family in ("Numeric", "Date"):
    for _name, _kind in (("Equals", "equals"), ("LessThan", "lessthan"),
                         ("LessThanEquals", "lessthanequals"),
                         ("GreaterThan", "greaterthan"),
                         ("GreaterThanEquals", "greaterthanequals")):
        BASE[_family + _name] = (_family.lower(), _kind, False)
    BASE[_family + "NotEquals"] = (_family.lower(), "equals", True)
QUALIFIERS = ("ForAllValues", "ForAnyValue")


@dataclass(frozen=True)
class Operator:
    name: str             # as written
    base: str
    qualifier: str | None
    if_exists: bool


def parse_operator(name: str) -> Operator:
    qualifier, sep, rest = name.partition(":")
    if not sep:
        qualifier, rest = "", name
    elif qualifier not in QUALIFIERS:
        raise errors.MalformedPolicy(errors.invalid_operator(name))
    if_exists = rest.endswith("IfExists")
    base = rest[:-len("IfExists")] if if_exists else rest
    if base not in BASE or (if_exists and base == "Null") or (qualifier and base == "Null"):
        raise errors.MalformedPolicy(errors.invalid_operator(name))
    return Operator(name, base, qualifier or None, if_exists)


@dataclass(frozen=True)
class Condition:
    operator: Operator
    key: str                  # lower-cased
    values: tuple[str, ...]
    negated: bool
    test: operators.Test      # the positive test of one request value

    def holds(self, keys: Keys) -> bool:
        got = keys.get(self.key)
        op = self.operator
        if op.base == "Null":       # "true": the key is absent; "false": present
            return any((not got) == (v.lower() == "true") for v in self.values)
        if not got:
            if op.if_exists or op.qualifier == "ForAllValues":
                return True
            return self.negated and op.qualifier is None
        if op.qualifier is None:
            hit = any(self.test(v, keys) for v in got)
            return not hit if self.negated else hit
        if self.negated:
            ones = (not self.test(v, keys) for v in got)
        else:
            ones = (self.test(v, keys) for v in got)
        return all(ones) if op.qualifier == "ForAllValues" else any(ones)


def parse_conditions(block: object, variables: bool) -> tuple[Condition, ...]:
    if not isinstance(block, dict):
        raise errors.MalformedPolicy(errors.SYNTAX)
    out = []
    for name, entries in block.items():
        op = parse_operator(name)
        if not isinstance(entries, dict) or not entries:
            raise errors.MalformedPolicy(errors.SYNTAX)
        for key, raw in entries.items():
            values = _values(raw)
            out.append(_condition(op, check_key(key), values, variables))
    return tuple(out)


def _condition(op: Operator, key: str, values: list[str], variables: bool) -> Condition:
    family, kind, negated = BASE[op.base]
    test: operators.Test
    if family == "string":
        test = operators.string_test(kind, values, variables)
    elif family == "numeric":
        test = operators.numeric_test(kind, op.name, values)
    elif family == "date":
        test = operators.date_test(kind, op.name, values)
    elif family == "bool":
        test = operators.bool_test(op.name, values)
    elif family == "binary":
        test = operators.binary_test(op.name, values)
    elif family == "ip":
        test = operators.ip_test(values)
    elif family == "arn":
        test = operators.arn_test(op.name, values, variables)
    else:                                       # Null
        operators.bool_test(op.name, values)    # true or false only
        test = _never
    return Condition(op, key, tuple(values), negated, test)


def _never(value: str, keys: Keys) -> bool:
    return False


def _values(raw: object) -> list[str]:
    """Strings, numbers and booleans (JSON's true is the text "true"); a list of them."""
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise errors.MalformedPolicy(errors.SYNTAX)
    out = []
    for item in items:
        if isinstance(item, bool):
            out.append("true" if item else "false")
        elif isinstance(item, (str, int, float)):
            out.append(str(item))
        else:
            raise errors.MalformedPolicy(errors.SYNTAX)
    return out
