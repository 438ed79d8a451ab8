"""Function calls of the executor (``text/template/exec.go``'s evalCall, evalArg, validateType):
arguments evaluated and checked against the function's Go-typed parameters, as a part of the
executor's state."""

from __future__ import annotations

from orasx._gostr import go_quote
from orasx.cli.display._gotemplate._fmt import type_name
from orasx.cli.display._gotemplate._funcs import _GO_KIND, BUILTINS, CallError, Func, Kind, _call, truth
from orasx.cli.display._gotemplate._nodes import (
    BoolNode,
    ChainNode,
    DotNode,
    FieldNode,
    IdentifierNode,
    NilNode,
    Node,
    NumberNode,
    PipeNode,
    StringNode,
    VariableNode,
)
from orasx.cli.display._gotemplate._values import MISSING as _MISSING
from orasx.cli.display._gotemplate._values import unbox


class Calls:
    """How the executor calls a function; mixed into its state, whose methods it uses."""

    funcs: dict[str, Func]

    def at(self, node: Node) -> None:
        raise NotImplementedError

    def error(self, msg: str) -> None:
        raise NotImplementedError

    def eval_pipeline(self, dot: object, pipe: PipeNode | None) -> object:
        raise NotImplementedError

    def eval_field_node(self, dot: object, f: FieldNode, args: list[Node], final: object) -> object:
        raise NotImplementedError

    def eval_variable_node(self, dot: object, v: VariableNode, args: list[Node],
                           final: object) -> object:
        raise NotImplementedError

    def eval_chain_node(self, dot: object, chain: ChainNode, args: list[Node],
                        final: object) -> object:
        raise NotImplementedError

    def ideal_constant(self, n: NumberNode) -> object:
        raise NotImplementedError

    def eval_function(self, dot: object, node: IdentifierNode, cmd: Node, args: list[Node],
                      final: object) -> object:
        self.at(node)
        name = node.ident
        fn = self.funcs.get(name) or BUILTINS.get(name)
        if fn is None:
            self.error(f"{go_quote(name)} is not a defined function")
            raise AssertionError
        builtin = name not in self.funcs
        return self.eval_call(dot, fn, builtin, cmd, name, args, final)

    def eval_call(self, dot: object, fn: Func, builtin: bool, node: Node, name: str,
                  args: list[Node], final: object) -> object:
        args = args[1:]
        num_in = len(args) + (0 if final is _MISSING else 1)
        nparams = len(fn.params)
        if fn.variadic:
            num_fixed = nparams - 1
            if num_in < num_fixed:
                self.error(f"wrong number of args for {name}: want at least {num_fixed} "
                           f"got {len(args)}")
        else:
            num_fixed = len(args)
            if num_in != nparams:
                self.error(f"wrong number of args for {name}: want {nparams} got {num_in}")
        if builtin and name in ("and", "or"):
            v: object = None
            for a in args:
                v = unbox(self.eval_arg(dot, "value", a))
                if truth(v) == (name == "or"):
                    return v
            if final is not _MISSING:
                v = unbox(final)
            return v
        argv: list[object] = []
        if builtin and name == "call":  # data holds no functions: always an error
            callee = self.eval_arg(dot, "value", args[0]) if args else final
            fn = Func(_call, ("string", "value", "value"), True)
            argv = [str(args[0]) if args else "", callee]
            if not args:
                final = _MISSING
            args = args[1:]
            num_fixed = 0
        i = 0
        while i < num_fixed and i < len(args):
            argv.append(self.eval_arg(dot, fn.params[i], args[i]))
            i += 1
        if fn.variadic:
            while i < len(args):
                argv.append(self.eval_arg(dot, fn.params[-1], args[i]))
                i += 1
        if final is not _MISSING:
            if fn.variadic and num_in - 1 < num_fixed:
                kind = fn.params[num_in - 1]
            else:
                kind = fn.params[-1] if fn.variadic else fn.params[num_in - 1]
            argv.append(self.validate(final, kind))
        try:
            result = fn.fn(*[unbox(a) if k != "value" else a
                             for a, k in zip(argv, self._kinds(fn, len(argv)), strict=True)])
        except CallError as e:
            self.at(node)
            self.error(f"error calling {name}: {e}")
            raise
        except RecursionError:
            raise
        except (ValueError, TypeError, ArithmeticError, IndexError, KeyError) as e:
            self.at(node)
            self.error(f"error calling {name}: {e}")
            raise
        return result

    @staticmethod
    def _kinds(fn: Func, n: int) -> list[Kind]:
        if fn.variadic:
            return list(fn.params[:-1]) + [fn.params[-1]] * (n - len(fn.params) + 1)
        return list(fn.params)

    def validate(self, value: object, kind: Kind) -> object:
        if kind in ("any", "value"):
            return value
        v = unbox(value)
        if v is None:
            if kind in ("list", "map"):
                return None
            self.error(f"invalid value; expected {_GO_KIND[kind]}")
        ok = {"string": isinstance(v, str),
              "int": isinstance(v, int) and not isinstance(v, bool),
              "float": isinstance(v, float),
              "bool": isinstance(v, bool),
              "list": isinstance(v, (list, tuple)),
              "map": isinstance(v, dict)}[kind]
        if not ok:
            self.error(f"wrong type for value; expected {_GO_KIND[kind]}; got {type_name(v)}")
        return v

    def eval_arg(self, dot: object, kind: Kind, n: Node) -> object:
        self.at(n)
        if isinstance(n, DotNode):
            return self.validate(dot, kind)
        if isinstance(n, NilNode):
            if kind in ("any", "value", "list", "map"):
                return None
            self.error(f"cannot assign nil to {_GO_KIND[kind]}")
        if isinstance(n, FieldNode):
            return self.validate(self.eval_field_node(dot, n, [n], _MISSING), kind)
        if isinstance(n, VariableNode):
            return self.validate(self.eval_variable_node(dot, n, [], _MISSING), kind)
        if isinstance(n, PipeNode):
            return self.validate(self.eval_pipeline(dot, n), kind)
        if isinstance(n, IdentifierNode):
            return self.validate(self.eval_function(dot, n, n, [n], _MISSING), kind)
        if isinstance(n, ChainNode):
            return self.validate(self.eval_chain_node(dot, n, [], _MISSING), kind)
        if kind == "bool":
            if isinstance(n, BoolNode):
                return n.value
            self.error(f"expected bool; found {n}")
        if kind == "float":
            if isinstance(n, NumberNode) and n.is_float:
                return n.float_val
            self.error(f"expected float; found {n}")
        if kind == "int":
            if isinstance(n, NumberNode) and n.is_int:
                return n.int_val
            self.error(f"expected integer; found {n}")
        if kind == "string":
            if isinstance(n, StringNode):
                return n.text
            self.error(f"expected string; found {n}")
        if kind in ("list", "map"):
            self.error(f"can't handle {n} for arg of type {_GO_KIND[kind]}")
        # any / value
        if isinstance(n, BoolNode):
            return n.value
        if isinstance(n, NumberNode):
            return self.ideal_constant(n)
        if isinstance(n, StringNode):
            return n.text
        self.error(f"can't handle assignment of {n} to empty interface argument")
        return None
