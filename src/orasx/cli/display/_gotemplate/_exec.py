"""The executor of Go's ``text/template`` (``text/template/exec.go``): a tree run over a value,
bounded in depth (:data:`MAX_DEPTH`) and in steps (:data:`MAX_STEPS`)."""

from __future__ import annotations

from collections.abc import Iterable

from orasx._gostr import go_quote
from orasx.cli.display._gotemplate import _nodes as nd
from orasx.cli.display._gotemplate._calls import Calls
from orasx.cli.display._gotemplate._fmt import fmt_v, key_order, type_name
from orasx.cli.display._gotemplate._funcs import (
    Func,
    _Break,
    _Continue,
    truth,
)
from orasx.cli.display._gotemplate._parser import Tree
from orasx.cli.display._gotemplate._values import MISSING as _MISSING
from orasx.cli.display._gotemplate._values import Boxed, TemplateError, unbox

#: Template invocation depth at which execution stops (Go's maxExecDepth is 100000; a Python
#: stack does not reach that).
MAX_DEPTH = 200
#: Nodes evaluated in one run before execution stops (a runaway ``range``/``template`` guard).
MAX_STEPS = 5_000_000


class _State(Calls):
    def __init__(self, templates: dict[str, Tree], text: str, parse_name: str,
                 funcs: dict[str, Func]) -> None:
        self.templates = templates
        self.text = text
        self.parse_name = parse_name
        self.funcs = funcs
        self.out: list[str] = []
        self.vars: list[list[object]] = []
        self.tmpl_name = parse_name
        self.node: nd.Node | None = None
        self.depth = 0
        self.steps = 0

    # errors
    def at(self, node: nd.Node) -> None:
        self.node = node

    def error(self, msg: str) -> None:
        name = self.tmpl_name
        if self.node is None:
            raise TemplateError(f"template: {name}: {msg}")
        before = self.text[:self.node.pos]
        line = 1 + before.count("\n")
        col = len(before[before.rfind("\n") + 1:].encode("utf-8", "surrogatepass"))  # bytes, as Go
        raise TemplateError(f"template: {self.parse_name}:{line}:{col}: executing "
                            f"{go_quote(name)} at <{self.node}>: {msg}")

    # variables
    def push(self, name: str, value: object) -> None:
        self.vars.append([name, value])

    def mark(self) -> int:
        return len(self.vars)

    def pop(self, mark: int) -> None:
        del self.vars[mark:]

    def set_var(self, name: str, value: object) -> None:
        for v in reversed(self.vars):
            if v[0] == name:
                v[1] = value
                return
        self.error(f"undefined variable: {name}")

    def var_value(self, name: str) -> object:
        for v in reversed(self.vars):
            if v[0] == name:
                return v[1]
        self.error(f"undefined variable: {name}")
        return None

    def tick(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            self.node = None
            self.error(f"execution stopped after {MAX_STEPS} steps")

    # walking
    def walk(self, dot: object, node: nd.Node) -> None:
        self.tick()
        self.at(node)
        if isinstance(node, nd.ActionNode):
            val = self.eval_pipeline(dot, node.pipe)
            if not node.pipe.decl:
                self.print_value(node, val)
        elif isinstance(node, nd.ListNode):
            for n in node.nodes:
                self.walk(dot, n)
        elif isinstance(node, nd.TextNode):
            self.out.append(node.text)
        elif isinstance(node, nd.BranchNode):
            if node.kind == "range":
                self.walk_range(dot, node)
            else:
                mark = self.mark()
                try:
                    val = self.eval_pipeline(dot, node.pipe)
                    if truth(val):
                        self.walk(val if node.kind == "with" else dot, node.list)
                    elif node.else_list is not None:
                        self.walk(dot, node.else_list)
                finally:
                    self.pop(mark)
        elif isinstance(node, nd.TemplateNode):
            self.walk_template(dot, node)
        elif isinstance(node, nd.LoopControl):
            raise _Break() if node.word == "break" else _Continue()
        else:  # pragma: no cover
            self.error(f"unknown node: {node}")

    def walk_range(self, dot: object, r: nd.BranchNode) -> None:
        mark = self.mark()
        try:
            self.at(r)
            val = unbox(self.eval_pipeline(dot, r.pipe))
            inner = self.mark()
            items: Iterable[tuple[object, object]]
            if isinstance(val, (list, tuple)):
                items = [(i, Boxed(v)) for i, v in enumerate(val)]
            elif isinstance(val, dict):
                items = [(k, Boxed(val[k])) for k in sorted(val, key=key_order)]
            elif isinstance(val, int) and not isinstance(val, bool):
                if len(r.pipe.decl) > 1:
                    self.error("can't use " + str(val) + " to iterate over more than one variable")
                items = ((i, i) for i in range(val))
            elif val is None:
                items = []
            else:
                self.error(f"range can't iterate over {fmt_v(val)}")
                items = []
            ran = False
            for index, elem in items:
                ran = True
                decl = r.pipe.decl
                if decl:
                    if r.pipe.is_assign:
                        self.set_var(decl[0].ident[0], index if len(decl) > 1 else elem)
                    else:
                        self.vars[-1][1] = elem
                if len(decl) > 1:
                    if r.pipe.is_assign:
                        self.set_var(decl[1].ident[0], elem)
                    else:
                        self.vars[-2][1] = index
                try:
                    self.walk(elem, r.list)
                except _Continue:
                    pass
                except _Break:
                    break
                finally:
                    self.pop(inner)
            if not ran and r.else_list is not None:
                self.walk(dot, r.else_list)
        finally:
            self.pop(mark)

    def walk_template(self, dot: object, t: nd.TemplateNode) -> None:
        self.at(t)
        tmpl = self.templates.get(t.name)
        if tmpl is None:
            self.error(f"template {go_quote(t.name)} not defined")
            return
        if self.depth >= MAX_DEPTH:
            self.error(f"exceeded maximum template depth ({MAX_DEPTH})")
        new_dot = unbox(self.eval_pipeline(dot, t.pipe)) if t.pipe is not None else None
        saved = (self.vars, self.tmpl_name)
        self.vars = [["$", new_dot]]
        self.tmpl_name = tmpl.name
        self.depth += 1
        try:
            self.walk(new_dot, tmpl.root)
        finally:
            self.vars, self.tmpl_name = saved
            self.depth -= 1

    def print_value(self, node: nd.Node, v: object) -> None:
        self.at(node)
        v = unbox(v)
        if v is None:
            self.out.append("<no value>")
        elif isinstance(v, Func) or callable(v):
            self.error(f"can't print {node} of type func")
        else:
            self.out.append(fmt_v(v))

    # evaluation
    def eval_pipeline(self, dot: object, pipe: nd.PipeNode | None) -> object:
        if pipe is None:
            return None
        self.at(pipe)
        value: object = _MISSING
        for cmd in pipe.cmds:
            value = unbox(self.eval_command(dot, cmd, value))
        for var in pipe.decl:
            if pipe.is_assign:
                self.set_var(var.ident[0], value)
            else:
                self.push(var.ident[0], value)
        return value

    def not_a_function(self, args: list[nd.Node], final: object) -> None:
        if len(args) > 1 or final is not _MISSING:
            self.error(f"can't give argument to non-function {args[0]}")

    def eval_command(self, dot: object, cmd: nd.CommandNode, final: object) -> object:
        self.tick()
        first = cmd.args[0]
        if isinstance(first, nd.FieldNode):
            return self.eval_field_node(dot, first, cmd.args, final)
        if isinstance(first, nd.ChainNode):
            return self.eval_chain_node(dot, first, cmd.args, final)
        if isinstance(first, nd.IdentifierNode):
            return self.eval_function(dot, first, cmd, cmd.args, final)
        if isinstance(first, nd.PipeNode):
            self.not_a_function(cmd.args, final)
            return self.eval_pipeline(dot, first)
        if isinstance(first, nd.VariableNode):
            return self.eval_variable_node(dot, first, cmd.args, final)
        self.at(first)
        self.not_a_function(cmd.args, final)
        if isinstance(first, nd.BoolNode):
            return first.value
        if isinstance(first, nd.DotNode):
            return dot
        if isinstance(first, nd.NilNode):
            self.error("nil is not a command")
        if isinstance(first, nd.NumberNode):
            return self.ideal_constant(first)
        if isinstance(first, nd.StringNode):
            return first.text
        self.error(f"can't evaluate command {go_quote(str(first))}")
        return None

    def ideal_constant(self, n: nd.NumberNode) -> object:
        self.at(n)
        if (n.is_float and not n.is_char and not n.text.lower().lstrip("+-").startswith("0x")
                and any(c in n.text for c in ".eEpP")):
            return n.float_val
        if n.is_int:
            return n.int_val
        self.error(f"{n.text} overflows int")
        return None

    def eval_field_node(self, dot: object, f: nd.FieldNode, args: list[nd.Node], final: object) -> object:
        self.at(f)
        return self.eval_field_chain(dot, dot, f, f.ident, args, final)

    def eval_chain_node(self, dot: object, chain: nd.ChainNode, args: list[nd.Node],
                        final: object) -> object:
        if not chain.fields:
            self.error("internal error: no fields in evalChainNode")
        if isinstance(chain.node, nd.NilNode):
            self.error(f"indirection through explicit nil in {chain}")
        pipe = self.eval_arg(dot, "value", chain.node)
        return self.eval_field_chain(dot, pipe, chain, chain.fields, args, final)

    def eval_variable_node(self, dot: object, v: nd.VariableNode, args: list[nd.Node],
                           final: object) -> object:
        self.at(v)
        value = self.var_value(v.ident[0])
        if len(v.ident) == 1:
            self.not_a_function(args, final)
            return value
        return self.eval_field_chain(dot, value, v, v.ident[1:], args, final)

    def eval_field_chain(self, dot: object, receiver: object, node: nd.Node, ident: list[str],
                         args: list[nd.Node], final: object) -> object:
        for name in ident[:-1]:
            receiver = self.eval_field(name, node, [], _MISSING, receiver)
        return self.eval_field(ident[-1], node, args, final, receiver)

    def eval_field(self, name: str, node: nd.Node, args: list[nd.Node], final: object,
                   receiver: object) -> object:
        boxed = isinstance(receiver, Boxed)
        r = unbox(receiver)
        if r is None and not boxed:
            return None
        typ = "interface {}" if boxed else type_name(r)
        if r is None:
            self.error(f"nil pointer evaluating {typ}.{name}")
        if isinstance(r, dict):
            if len(args) > 1 or final is not _MISSING:
                self.error(f"{name} is not a method but has arguments")
            if name in r:
                return Boxed(r[name])
            return None
        self.error(f"can't evaluate field {name} in type {typ}")
        return None


def execute(templates: dict[str, Tree], name: str, text: str, data: object,
            funcs: dict[str, Func]) -> str:
    """Run template ``name`` of ``templates`` (parsed from ``text``) over ``data``."""
    state = _State(templates, text, name, funcs)
    tmpl = templates.get(name)
    if tmpl is None:
        raise TemplateError(f"template: {go_quote(name)} is an incomplete or empty template")
    state.vars = [["$", data]]
    try:
        state.walk(data, tmpl.root)
    except TemplateError as e:
        e.partial = "".join(state.out)
        raise
    except RecursionError:
        deep = TemplateError(f"template: {name}: the template nests too deeply")
        deep.partial = "".join(state.out)
        raise deep from None
    return "".join(state.out)
