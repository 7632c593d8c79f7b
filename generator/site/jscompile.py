"""Compile the snippet templates to JavaScript, so the browser renders exactly what Python does.

The compiler walks Jinja2's own parse tree (after Jinja2's lexer has applied trim_blocks,
lstrip_blocks and keep_trailing_newline) and emits one JavaScript function per template. It
supports the subset of Jinja2 the templates use and refuses anything else with the template's
name and line, so a template can never silently render differently in the page. The runtime
helpers it calls (`R.*`: Python's str(), slicing, equality, sorting, the output filters and the
derivation) are in generator/site/static/ and are proven against Python by tests/browser.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from jinja2 import nodes

from ..errors import TemplateError
from ..render.engine import environment

_COMPARE = {"eq": "R.eq({a}, {b})", "ne": "!R.eq({a}, {b})", "in": "R.contains({b}, {a})",
            "notin": "!R.contains({b}, {a})", "lt": "({a} < {b})", "gt": "({a} > {b})",
            "lteq": "({a} <= {b})", "gteq": "({a} >= {b})"}


@dataclass
class _Scope:
    names: dict[str, str] = field(default_factory=dict)
    counter: list[int] = field(default_factory=lambda: [0])

    def child(self) -> "_Scope":
        return _Scope(dict(self.names), self.counter)

    def bind(self, name: str) -> str:
        self.counter[0] += 1
        js = f"v{self.counter[0]}_{name}"
        self.names[name] = js
        return js


class _Compiler:
    def __init__(self, name: str):
        self.name = name

    def fail(self, node: nodes.Node, what: str) -> TemplateError:
        return TemplateError(f"{self.name}:{node.lineno}: {what} cannot be compiled for the browser; "
                             "use the constructs the other templates use")

    # statements ---------------------------------------------------------------------------
    def block(self, body: list[nodes.Node], scope: _Scope) -> list[str]:
        out: list[str] = []
        for node in body:
            out += self.stmt(node, scope)
        return out

    def stmt(self, node: nodes.Node, scope: _Scope) -> list[str]:
        if isinstance(node, nodes.Output):
            return [f"o.push({self.output(child, scope)});" for child in node.nodes]
        if isinstance(node, nodes.If):
            lines = [f"if (R.truthy({self.expr(node.test, scope)})) {{", *self.block(node.body, scope.child())]
            for elif_ in node.elif_:
                lines += [f"}} else if (R.truthy({self.expr(elif_.test, scope)})) {{",
                          *self.block(elif_.body, scope.child())]
            if node.else_:
                lines += ["} else {", *self.block(node.else_, scope.child())]
            return lines + ["}"]
        if isinstance(node, nodes.For):
            if node.else_ or node.test or node.recursive:
                raise self.fail(node, "for ... else / if / recursive")
            inner = scope.child()
            seq, loop = inner.bind("seq"), inner.bind("loop")
            idx = inner.bind("i")
            if isinstance(node.target, nodes.Name):
                targets = f"const {inner.bind(node.target.name)} = {seq}[{idx}];"
            elif isinstance(node.target, nodes.Tuple) and all(isinstance(n, nodes.Name) for n in node.target.items):
                names = ", ".join(inner.bind(n.name) for n in node.target.items)
                targets = f"const [{names}] = R.unpack({seq}[{idx}], {len(node.target.items)});"
            else:
                raise self.fail(node, "this loop target")
            inner.names["loop"] = loop
            return [f"const {seq} = R.iter({self.expr(node.iter, scope)});",
                    f"for (let {idx} = 0; {idx} < {seq}.length; {idx}++) {{",
                    f"const {loop} = R.loop({idx}, {seq}.length);", targets,
                    *self.block(node.body, inner), "}"]
        if isinstance(node, nodes.Assign):
            if not isinstance(node.target, nodes.Name):
                raise self.fail(node, "this assignment target")
            value = self.expr(node.node, scope)
            return [f"const {scope.bind(node.target.name)} = {value};"]
        if isinstance(node, nodes.Include):
            if not isinstance(node.template, nodes.Const) or node.ignore_missing or not node.with_context:
                raise self.fail(node, "this include")
            return [f"o.push(T[{json.dumps(node.template.value)}](c));"]
        raise self.fail(node, type(node).__name__)

    def output(self, node: nodes.Node, scope: _Scope) -> str:
        if isinstance(node, nodes.TemplateData):
            return json.dumps(node.data, ensure_ascii=False)
        return f"R.str({self.expr(node, scope)})"

    # expressions --------------------------------------------------------------------------
    def expr(self, node: nodes.Node, scope: _Scope) -> str:
        e = lambda n: self.expr(n, scope)  # noqa: E731
        if isinstance(node, nodes.Const):
            if node.value is None or isinstance(node.value, (bool, int, str)):
                return json.dumps(node.value, ensure_ascii=False)
            raise self.fail(node, f"the constant {node.value!r}")
        if isinstance(node, nodes.Name):
            if node.name in scope.names:
                return scope.names[node.name]
            return f"R.lookup(c, {json.dumps(node.name)})"
        if isinstance(node, (nodes.List, nodes.Tuple)):
            return "[" + ", ".join(e(n) for n in node.items) + "]"
        if isinstance(node, nodes.Getattr):
            return f"R.getattr({e(node.node)}, {json.dumps(node.attr)})"
        if isinstance(node, nodes.Getitem):
            if isinstance(node.arg, nodes.Slice):
                s = node.arg
                if s.step is not None:
                    raise self.fail(node, "a slice with a step")
                start = e(s.start) if s.start else "null"
                stop = e(s.stop) if s.stop else "null"
                return f"R.slice({e(node.node)}, {start}, {stop})"
            return f"R.getitem({e(node.node)}, {e(node.arg)})"
        if isinstance(node, nodes.Call):
            if node.kwargs or node.dyn_args or node.dyn_kwargs:
                raise self.fail(node, "keyword or star arguments")
            args = ", ".join(e(a) for a in node.args)
            if isinstance(node.node, nodes.Getattr):
                return f"R.method({e(node.node.node)}, {json.dumps(node.node.attr)}, [{args}])"
            if isinstance(node.node, nodes.Name) and node.node.name == "dict":
                return f"R.dict({args})"
            raise self.fail(node, "this call")
        if isinstance(node, nodes.Filter):
            if node.kwargs or node.dyn_args or node.dyn_kwargs or node.node is None:
                raise self.fail(node, f"the filter {node.name!r} with these arguments")
            args = "".join(", " + e(a) for a in node.args)
            return f"R.filter({json.dumps(node.name)}, {e(node.node)}{args})"
        if isinstance(node, nodes.Concat):
            return "(" + " + ".join(f"R.str({e(n)})" for n in node.nodes) + ")"
        if isinstance(node, nodes.CondExpr):
            if node.expr2 is None:
                raise self.fail(node, "a conditional without else")
            return f"(R.truthy({e(node.test)}) ? {e(node.expr1)} : {e(node.expr2)})"
        if isinstance(node, nodes.Not):
            return f"!R.truthy({e(node.node)})"
        if isinstance(node, nodes.And):
            return f"R.and({e(node.left)}, () => {e(node.right)})"
        if isinstance(node, nodes.Or):
            return f"R.or({e(node.left)}, () => {e(node.right)})"
        if isinstance(node, nodes.Compare):
            parts, left = [], e(node.expr)
            for op in node.ops:
                if op.op not in _COMPARE:
                    raise self.fail(node, f"the comparison {op.op!r}")
                right = e(op.expr)
                parts.append(_COMPARE[op.op].format(a=left, b=right))
                left = right
            return "(" + " && ".join(parts) + ")"
        raise self.fail(node, type(node).__name__)


def compile_template(name: str, source: str | None = None) -> str:
    """One template as `function (R, T) { return function (c) { ... return text; }; }`: R is the
    runtime, T the other compiled templates (for includes), c the render context."""
    env = environment()
    if source is None:
        source = env.loader.get_source(env, name)[0]
    tree = env.parse(source, name)
    body = _Compiler(name).block(tree.body, _Scope())
    return ("function (R, T) {\nreturn function (c) {\nconst o = [];\n" + "\n".join(body)
            + '\nreturn o.join("");\n};\n}')


def compile_all(names: list[str]) -> str:
    """`{name: function, ...}` for every template and the templates they include."""
    env = environment()
    todo, done = list(names), {}
    while todo:
        name = todo.pop()
        if name in done:
            continue
        source = env.loader.get_source(env, name)[0]
        done[name] = compile_template(name, source)
        todo += [n.template.value for n in env.parse(source).find_all(nodes.Include)
                 if isinstance(n.template, nodes.Const)]
    return "{\n" + ",\n".join(f"{json.dumps(n)}: {done[n]}" for n in sorted(done)) + "\n}"
