"""Every message proxydocs can print, read from its source code: the strings passed to the
errors it raises, the (file, key, reason) problems it reports, and the findings of the
validators. Each becomes a pattern (the f-string's fixed text, with `…` for each value) that
the error catalogue page must show."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

GENERATOR = Path(__file__).resolve().parents[2] / "generator"
# raised for programming errors inside proxydocs, never for anything a user did
INTERNAL = {"AttributeError", "TypeError", "NotImplementedError", "RuntimeError", "KeyError"}


@dataclass(frozen=True)
class Message:
    file: str
    line: int
    parts: tuple[str | None, ...]  # fixed text, None for each interpolated value

    @property
    def pattern(self) -> re.Pattern:
        # whitespace (a line break in the message) may also be a break between ``literals``
        body = "".join(r".+?" if p is None else r"[\s`]+".join(map(re.escape, re.split(r"\s+", p)))
                       for p in self.parts)
        return re.compile(body, re.S)

    @property
    def text(self) -> str:
        return "".join("…" if p is None else p for p in self.parts)


def _fixed(text: str) -> tuple[str | None, ...]:
    """Fixed text; a `{}` in it (a topic filled in later with str.format) is a value."""
    pieces = text.split("{}")
    return tuple(p for piece in pieces for p in (None, piece))[1:]


def _parts(node: ast.expr) -> tuple[str | None, ...] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _fixed(node.value)
    if isinstance(node, ast.JoinedStr):
        return tuple(p for v in node.values for p in (_fixed(v.value) if isinstance(v, ast.Constant) else (None,)))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _parts(node.left), _parts(node.right)
        return left + right if left is not None and right is not None else None
    return None


def _name(call: ast.Call) -> str:
    return call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")


def _strings(call: ast.Call) -> list[ast.expr]:
    name = _name(call)
    args = list(call.args)
    if name in ("finding", "Finding"):
        return args[-1:]
    if name == "append" and args and isinstance(args[0], ast.Tuple):
        return args[0].elts[-1:]  # (file, key, reason)
    if name.endswith("Error") or name.startswith("_"):
        return args  # an error class, or a helper that makes one: the message may be any argument
    return args[:1]


def collect() -> list[Message]:
    found: list[Message] = []
    for path in sorted(GENERATOR.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            call = None
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                call = node.exc
                name = getattr(call.func, "id", getattr(call.func, "attr", ""))
                if name in INTERNAL:
                    continue
            elif isinstance(node, ast.Call):
                name = _name(node)
                in_validators = "validate" in path.parts
                keywords = {k.arg for k in node.keywords}
                if (name in ("finding", "Finding") or (name.endswith("Error") and name not in INTERNAL)
                        or (name == "append" and node.args and (isinstance(node.args[0], ast.Tuple) or in_validators))
                        or (name == "__init__" and isinstance(node.func.value, ast.Call))  # super().__init__(msg)
                        or (name == "echo" and "file" in keywords)  # the CLI's messages on stderr
                        or name == "warning"  # the Sphinx extension's warnings, a validator's warnings
                        # a validator's helper that makes one from an f-string
                        or (name.startswith("_") and in_validators
                            and any(isinstance(a, ast.JoinedStr) for a in node.args))):
                    call = node
            elif isinstance(node, ast.Return) and isinstance(node.value, ast.List) and "validate" in path.parts:
                call = ast.Call(func=ast.Name("list"), args=node.value.elts[:1], keywords=[])
            if call is None:
                continue
            for arg in _strings(call):
                if isinstance(arg, ast.List):  # SettingsError([(file, key, reason)])
                    arg = arg.elts[0].elts[-1] if arg.elts and isinstance(arg.elts[0], ast.Tuple) else arg
                parts = _parts(arg)
                if parts and any(p and p.strip() for p in parts):
                    found.append(Message(str(path.relative_to(GENERATOR.parent)), node.lineno, parts))
    unique = {m.parts: m for m in found}
    return sorted(unique.values(), key=lambda m: (m.file, m.line))


if __name__ == "__main__":
    for m in collect():
        print(f"{m.file}:{m.line}: {m.text}")
