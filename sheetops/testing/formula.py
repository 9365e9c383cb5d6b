"""A small formula evaluator, enough for the formulas a provisioning tool writes.

It understands numbers, strings, ``TRUE``/``FALSE``, cell references (``A1``, ``$B$2``,
``Sheet2!C3``, ``'My sheet'!A1``), ranges inside function calls, the operators
``+ - * / ^ & = <> < > <= >=``, unary minus, a postfix ``%``, and the functions
SUM, AVERAGE, MIN, MAX, COUNT, COUNTA, IF, IFERROR, AND, OR, NOT, CONCATENATE, CONCAT,
LEN, UPPER, LOWER, TRIM, ROUND, ABS and HYPERLINK; a SPARKLINE draws a picture in its cell
and, as in Google Sheets, has no value.  Anything else evaluates to ``#NAME?``
with a message saying the emulator does not know the function; a formula it cannot parse
evaluates to ``#ERROR!``.  References are not adjusted when rows or columns are inserted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .a1 import column_index

__all__ = ["CellRef", "FormulaError", "RangeRef", "Value", "evaluate"]


@dataclass(frozen=True)
class FormulaError:
    """An error value: ``kind`` is an ErrorValue.type (``DIVIDE_BY_ZERO``, ``NAME``...)."""

    kind: str
    message: str


Value = float | str | bool | None | FormulaError


@dataclass(frozen=True)
class CellRef:
    sheet: str | None
    row: int
    col: int


@dataclass(frozen=True)
class RangeRef:
    sheet: str | None
    start_row: int
    end_row: int  # exclusive
    start_col: int
    end_col: int  # exclusive


Resolver = Callable[[CellRef], Value]
RangeResolver = Callable[[RangeRef], list[Value]]

_TOKEN_RE = re.compile(
    r"""\s*(?:
      (?P<num>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)
    | (?P<str>"(?:[^"]|"")*")
    | (?P<ref>(?:(?:'(?:[^']|'')+'|[A-Za-z_][A-Za-z0-9_.]*)!)?\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?)
    | (?P<func>[A-Za-z_][A-Za-z0-9_.]*)\s*\(
    | (?P<name>[A-Za-z_][A-Za-z0-9_.]*)
    | (?P<op><=|>=|<>|[-+*/^&=<>%(),:])
    )""",
    re.VERBOSE,
)


class _ParseError(Exception):
    pass


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if not m or m.end() == pos:
            raise _ParseError(text[pos:])
        kind = m.lastgroup or ""
        tokens.append((kind, m.group(kind)))
        pos = m.end()
    return tokens


def _parse_ref(text: str) -> CellRef | RangeRef:
    sheet: str | None = None
    if "!" in text:
        sheet_part, _, text = text.rpartition("!")
        sheet = sheet_part[1:-1].replace("''", "'") if sheet_part.startswith("'") else sheet_part
    parts = text.replace("$", "").split(":")

    def cell(part: str) -> tuple[int, int]:
        m = re.match(r"([A-Za-z]+)(\d+)", part)
        if not m:
            raise _ParseError(part)
        return int(m.group(2)) - 1, column_index(m.group(1))

    r0, c0 = cell(parts[0])
    if len(parts) == 1:
        return CellRef(sheet, r0, c0)
    r1, c1 = cell(parts[1])
    return RangeRef(sheet, min(r0, r1), max(r0, r1) + 1, min(c0, c1), max(c0, c1) + 1)


# An AST node is a tuple: ("num", x) ("str", s) ("bool", b) ("ref", ref) ("call", name, args)
# ("bin", op, a, b) ("neg", a) ("pct", a)
Node = tuple[Any, ...]


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise _ParseError("unexpected end")
        self.pos += 1
        return tok

    def expect(self, op: str) -> None:
        tok = self.take()
        if tok != ("op", op):
            raise _ParseError(f"expected {op}")

    def parse(self) -> Node:
        node = self.comparison()
        if self.peek() is not None:
            raise _ParseError("trailing tokens")
        return node

    def comparison(self) -> Node:
        node = self.concat()
        while (tok := self.peek()) is not None and tok[0] == "op" and tok[1] in ("=", "<>", "<", ">", "<=", ">="):
            self.take()
            node = ("bin", tok[1], node, self.concat())
        return node

    def concat(self) -> Node:
        node = self.additive()
        while self.peek() == ("op", "&"):
            self.take()
            node = ("bin", "&", node, self.additive())
        return node

    def additive(self) -> Node:
        node = self.term()
        while (tok := self.peek()) is not None and tok in (("op", "+"), ("op", "-")):
            self.take()
            node = ("bin", tok[1], node, self.term())
        return node

    def term(self) -> Node:
        node = self.power()
        while (tok := self.peek()) is not None and tok in (("op", "*"), ("op", "/")):
            self.take()
            node = ("bin", tok[1], node, self.power())
        return node

    def power(self) -> Node:
        node = self.unary()
        while self.peek() == ("op", "^"):
            self.take()
            node = ("bin", "^", node, self.unary())
        return node

    def unary(self) -> Node:
        tok = self.peek()
        if tok == ("op", "-"):
            self.take()
            return ("neg", self.unary())
        if tok == ("op", "+"):
            self.take()
            return self.unary()
        return self.postfix()

    def postfix(self) -> Node:
        node = self.primary()
        while self.peek() == ("op", "%"):
            self.take()
            node = ("pct", node)
        return node

    def primary(self) -> Node:
        kind, text = self.take()
        if kind == "num":
            return ("num", float(text))
        if kind == "str":
            return ("str", text[1:-1].replace('""', '"'))
        if kind == "ref":
            return ("ref", _parse_ref(text))
        if kind == "name":
            if text.upper() in ("TRUE", "FALSE"):
                return ("bool", text.upper() == "TRUE")
            return ("badname", text)
        if kind == "func":
            name = text.upper()
            args: list[Node] = []
            if self.peek() == ("op", ")"):
                self.take()
                return ("call", name, args)
            while True:
                args.append(self.comparison())
                tok = self.take()
                if tok == ("op", ")"):
                    return ("call", name, args)
                if tok != ("op", ","):
                    raise _ParseError("expected , or )")
        if (kind, text) == ("op", "("):
            node = self.comparison()
            self.expect(")")
            return node
        raise _ParseError(text)


def _to_number(value: Value) -> float | FormulaError:
    if isinstance(value, FormulaError):
        return value
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(value.replace(",", ""))
    except ValueError:
        return FormulaError(
            "VALUE", f'Function expects number values. But "{value}" is a text and cannot be coerced to a number.'
        )


def _to_text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _to_bool(value: Value) -> bool | FormulaError:
    if isinstance(value, FormulaError):
        return value
    if isinstance(value, str):
        if value.upper() in ("TRUE", "FALSE"):
            return value.upper() == "TRUE"
        return FormulaError("VALUE", f"Function expects boolean values. But '{value}' is a text.")
    number = _to_number(value)
    if isinstance(number, FormulaError):
        return number
    return number != 0


class _Evaluator:
    def __init__(self, cell: Resolver, cells: RangeResolver) -> None:
        self.cell = cell
        self.cells = cells

    def values(self, node: Node) -> list[Value]:
        """The values of an argument that may be a range."""
        if node[0] == "ref" and isinstance(node[1], RangeRef):
            return self.cells(node[1])
        return [self.eval(node)]

    def eval(self, node: Node) -> Value:
        kind = node[0]
        if kind in ("num", "str", "bool"):
            literal: Value = node[1]
            return literal
        if kind == "badname":
            return FormulaError("NAME", f"Unknown range name: '{node[1]}'.")
        if kind == "ref":
            ref = node[1]
            if isinstance(ref, RangeRef):
                vals = self.cells(ref)
                if len(vals) == 1:
                    return vals[0]
                return FormulaError("VALUE", "An array value could not be found.")
            return self.cell(ref)
        if kind == "neg":
            number = _to_number(self.eval(node[1]))
            return number if isinstance(number, FormulaError) else -number
        if kind == "pct":
            number = _to_number(self.eval(node[1]))
            return number if isinstance(number, FormulaError) else number / 100
        if kind == "bin":
            return self.binary(node[1], self.eval(node[2]), self.eval(node[3]))
        if kind == "call":
            return self.call(node[1], node[2])
        return FormulaError("ERROR", "Formula parse error.")

    def binary(self, op: str, left: Value, right: Value) -> Value:
        if isinstance(left, FormulaError):
            return left
        if isinstance(right, FormulaError):
            return right
        if op == "&":
            return _to_text(left) + _to_text(right)
        if op in ("=", "<>", "<", ">", "<=", ">="):
            a: Value = left
            b: Value = right
            if isinstance(a, str) and isinstance(b, str):
                a, b = a.lower(), b.lower()
            elif isinstance(a, str) != isinstance(b, str):
                if op == "=":
                    return False
                if op == "<>":
                    return True
                # numbers sort before text
                a, b = (0.0, 1.0) if not isinstance(a, str) else (1.0, 0.0)
            else:
                a, b = _to_number(a), _to_number(b)
            result = {
                "=": a == b,
                "<>": a != b,
                "<": a < b,  # type: ignore[operator]
                ">": a > b,  # type: ignore[operator]
                "<=": a <= b,  # type: ignore[operator]
                ">=": a >= b,  # type: ignore[operator]
            }[op]
            return bool(result)
        x, y = _to_number(left), _to_number(right)
        if isinstance(x, FormulaError):
            return x
        if isinstance(y, FormulaError):
            return y
        if op == "+":
            return x + y
        if op == "-":
            return x - y
        if op == "*":
            return x * y
        if op == "/":
            if y == 0:
                return FormulaError("DIVIDE_BY_ZERO", "Function DIVIDE parameter 2 cannot be zero.")
            return x / y
        try:
            return float(x**y)
        except (OverflowError, ZeroDivisionError, ValueError):
            return FormulaError("NUM", "POW evaluates to an out of range value.")

    def call(self, name: str, args: list[Node]) -> Value:
        if name in ("SUM", "AVERAGE", "MIN", "MAX", "COUNT", "COUNTA"):
            flat: list[Value] = []
            for arg in args:
                flat.extend(self.values(arg))
            for v in flat:
                if isinstance(v, FormulaError) and name != "COUNTA":
                    return v
            if name == "COUNTA":
                return float(sum(1 for v in flat if v is not None and v != ""))
            numbers = [float(v) for v in flat if isinstance(v, (int, float)) and not isinstance(v, bool)]
            if name == "COUNT":
                return float(len(numbers))
            if name == "SUM":
                return math.fsum(numbers)
            if name == "AVERAGE":
                if not numbers:
                    return FormulaError(
                        "DIVIDE_BY_ZERO", "Evaluation of function AVERAGE caused a divide by zero error."
                    )
                return math.fsum(numbers) / len(numbers)
            if not numbers:
                return 0.0
            return min(numbers) if name == "MIN" else max(numbers)
        if name == "IF":
            if not 2 <= len(args) <= 3:
                return FormulaError("N_A", "Wrong number of arguments to IF.")
            cond = _to_bool(self.eval(args[0]))
            if isinstance(cond, FormulaError):
                return cond
            if cond:
                return self.eval(args[1])
            return self.eval(args[2]) if len(args) == 3 else False
        if name == "IFERROR":
            value = self.eval(args[0]) if args else None
            if isinstance(value, FormulaError):
                return self.eval(args[1]) if len(args) > 1 else None
            return value
        if name in ("AND", "OR"):
            flags: list[bool] = []
            for arg in args:
                for v in self.values(arg):
                    if v is None:
                        continue
                    flag = _to_bool(v)
                    if isinstance(flag, FormulaError):
                        return flag
                    flags.append(flag)
            return all(flags) if name == "AND" else any(flags)
        if name == "NOT":
            flag = _to_bool(self.eval(args[0])) if args else FormulaError("N_A", "Wrong number of arguments to NOT.")
            return flag if isinstance(flag, FormulaError) else not flag
        if name in ("CONCATENATE", "CONCAT"):
            parts: list[str] = []
            for arg in args:
                for v in self.values(arg):
                    if isinstance(v, FormulaError):
                        return v
                    parts.append(_to_text(v))
            return "".join(parts)
        if name in ("LEN", "UPPER", "LOWER", "TRIM"):
            value = self.eval(args[0]) if args else None
            if isinstance(value, FormulaError):
                return value
            text = _to_text(value)
            if name == "LEN":
                return float(len(text))
            if name == "UPPER":
                return text.upper()
            if name == "LOWER":
                return text.lower()
            return " ".join(text.split())
        if name in ("ROUND", "ABS"):
            number = _to_number(self.eval(args[0])) if args else 0.0
            if isinstance(number, FormulaError):
                return number
            if name == "ABS":
                return abs(number)
            digits = _to_number(self.eval(args[1])) if len(args) > 1 else 0.0
            if isinstance(digits, FormulaError):
                return digits
            factor = float(10 ** int(digits))
            return math.floor(abs(number) * factor + 0.5) / factor * (1 if number >= 0 else -1)
        if name == "HYPERLINK":
            target = self.eval(args[0]) if args else ""
            label = self.eval(args[1]) if len(args) > 1 else target
            return label if isinstance(label, FormulaError) else _to_text(label)
        return FormulaError("NAME", f"Unknown function: '{name}'.")


_SPARKLINE = re.compile(r"\s*=\s*SPARKLINE\s*\(", re.IGNORECASE)


def evaluate(formula: str, cell: Resolver, cells: RangeResolver) -> Value:
    """Evaluate ``formula`` (with its leading ``=``)."""
    if _SPARKLINE.match(formula):
        return None  # a picture in the cell, no value (its array options are not parsed here)
    try:
        node = _Parser(_tokenize(formula.lstrip()[1:])).parse()
    except _ParseError:
        return FormulaError("ERROR", "Formula parse error.")
    except RecursionError:  # pragma: no cover - absurdly nested formulas
        return FormulaError("ERROR", "Formula parse error.")
    return _Evaluator(cell, cells).eval(node)
