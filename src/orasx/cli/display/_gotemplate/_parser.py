"""The parser of Go's ``text/template`` (``text/template/parse/parse.go``): tokens to
:class:`Tree` s, one per defined template."""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from orasx._gostr import go_quote
from orasx.cli.display._gotemplate import _lexer as lex
from orasx.cli.display._gotemplate._lexer import Token, _Lexer, unquote
from orasx.cli.display._gotemplate._nodes import (
    ActionNode,
    BoolNode,
    BranchNode,
    ChainNode,
    CommandNode,
    DotNode,
    FieldNode,
    IdentifierNode,
    ListNode,
    LoopControl,
    NilNode,
    Node,
    NumberNode,
    PipeNode,
    StringNode,
    TemplateNode,
    TextNode,
    VariableNode,
    _End,
)
from orasx.cli.display._gotemplate._values import TemplateError


class Tree:
    """A parsed template: its root list and the ``define``/``block`` templates."""

    def __init__(self, name: str, root: ListNode) -> None:
        self.name = name
        self.root = root


class _Parser:
    def __init__(self, text: str, name: str, funcs: Callable[[str], str | None]) -> None:
        self.text = text
        self.name = name
        self.funcs = funcs
        self.tokens = _Lexer(text).run()
        self.i = 0
        self.vars: list[str] = ["$"]
        self.range_depth = 0
        self.action_line = 0
        self.templates: dict[str, Tree] = {}
        self.cur = self.tokens[0]

    # token stream
    def next(self) -> Token:
        tok = self.tokens[min(self.i, len(self.tokens) - 1)]
        self.cur = tok
        if tok.typ == lex.T_ERROR:
            extra = ""
            if self.action_line and self.action_line != tok.line:
                extra = f" in action started at {self.name}:{self.action_line}"
                if tok.val.endswith(" action"):
                    extra = extra[len(" in action"):]
            self.error(tok.val + extra)
        self.i += 1
        return tok

    def backup(self, n: int = 1) -> None:
        self.i -= n

    def peek(self) -> Token:
        tok = self.tokens[min(self.i, len(self.tokens) - 1)]
        if tok.typ == lex.T_ERROR:
            return self.next()
        return tok

    def next_non_space(self) -> Token:
        tok = self.next()
        while tok.typ == lex.T_SPACE:
            tok = self.next()
        return tok

    def peek_non_space(self) -> Token:
        tok = self.next_non_space()
        self.backup()
        return tok

    def error(self, msg: str) -> None:
        raise TemplateError(f"template: {self.name}:{self.cur.line}: {msg}")

    def unexpected(self, tok: Token, context: str) -> None:
        self.error(f"unexpected {tok} in {context}")

    def expect(self, typ: int, context: str) -> Token:
        tok = self.next_non_space()
        if tok.typ != typ:
            self.unexpected(tok, context)
        return tok

    # grammar
    def parse(self) -> dict[str, Tree]:
        root = ListNode(self.peek().pos)
        while self.peek().typ != lex.T_EOF:
            if self.peek().typ == lex.T_LEFT:
                start = self.i
                self.next()
                if self.next_non_space().typ == lex.T_DEFINE:
                    self.definition()
                    continue
                self.i = start
            n = self.text_or_action()
            if isinstance(n, _End):
                self.error(f"unexpected {n}")
            root.nodes.append(n)
        self.add(Tree(self.name, root))
        return self.templates

    def add(self, tree: Tree) -> None:
        old = self.templates.get(tree.name)
        if old is None or _is_empty(old.root):
            self.templates[tree.name] = tree
        elif not _is_empty(tree.root):
            self.error(f"template: multiple definition of template {go_quote(tree.name)}")

    def definition(self) -> None:
        context = "define clause"
        tok = self.next_non_space()
        if tok.typ not in (lex.T_STRING, lex.T_RAW):
            self.unexpected(tok, context)
        name = self.unquote(tok.val)
        self.expect(lex.T_RIGHT, context)
        saved = self.vars
        self.vars = ["$"]
        body, end = self.item_list()
        self.vars = saved
        if end.word != "end":
            self.error(f"unexpected {end} in {context}")
        self.add(Tree(name, body))

    def unquote(self, tok: str) -> str:
        try:
            return unquote(tok)
        except TemplateError as e:
            self.error(str(e))
            raise

    def item_list(self) -> tuple[ListNode, _End]:
        lst = ListNode(self.peek_non_space().pos)
        while self.peek_non_space().typ != lex.T_EOF:
            n = self.text_or_action()
            if isinstance(n, _End):
                return lst, n
            lst.nodes.append(n)
        self.cur = self.peek()
        self.error("unexpected EOF")
        raise AssertionError

    def text_or_action(self) -> Node:
        tok = self.next_non_space()
        if tok.typ == lex.T_TEXT:
            return TextNode(tok.pos, tok.val)
        if tok.typ == lex.T_LEFT:
            self.action_line = tok.line
            try:
                return self.action()
            finally:
                self.action_line = 0
        self.unexpected(tok, "input")
        raise AssertionError

    def action(self) -> Node:
        tok = self.next_non_space()
        t = tok.typ
        if t == lex.T_BLOCK:
            return self.block()
        if t in (lex.T_BREAK, lex.T_CONTINUE):
            nxt = self.next_non_space()
            if nxt.typ != lex.T_RIGHT:
                self.unexpected(nxt, "{{" + tok.val + "}}")
            if self.range_depth == 0:
                self.error("{{" + tok.val + "}} outside {{range}}")
            return LoopControl(tok.pos, tok.val)
        if t == lex.T_ELSE:
            peek = self.peek_non_space()
            if peek.typ in (lex.T_IF, lex.T_WITH):
                return _End(peek.pos, "else")
            end = self.expect(lex.T_RIGHT, "else")
            return _End(end.pos, "else")
        if t == lex.T_END:
            end = self.expect(lex.T_RIGHT, "end")
            return _End(end.pos, "end")
        if t in (lex.T_IF, lex.T_RANGE, lex.T_WITH):
            return self.control(tok.val)
        if t == lex.T_TEMPLATE:
            return self.template()
        self.backup()
        tok = self.peek()
        return ActionNode(tok.pos, tok.line, self.pipeline("command", lex.T_RIGHT))

    def control(self, kind: str) -> BranchNode:
        mark = len(self.vars)
        try:
            pipe = self.pipeline(kind, lex.T_RIGHT)
            if kind == "range":
                self.range_depth += 1
            body, nxt = self.item_list()
            if kind == "range":
                self.range_depth -= 1
            else_list: ListNode | None = None
            if nxt.word == "else":
                peek = self.peek()
                if kind in ("if", "with") and peek.typ == (lex.T_IF if kind == "if" else lex.T_WITH):
                    self.next()
                    else_list = ListNode(nxt.pos, [self.control(kind)])
                else:
                    else_list, end = self.item_list()
                    if end.word != "end":
                        self.error(f"expected end; found {end}")
            return BranchNode(kind, pipe.pos, pipe.line, pipe, body, else_list)
        finally:
            del self.vars[mark:]

    def template_name(self, tok: Token, context: str) -> str:
        if tok.typ not in (lex.T_STRING, lex.T_RAW):
            self.unexpected(tok, context)
        return self.unquote(tok.val)

    def template(self) -> TemplateNode:
        context = "template clause"
        tok = self.next_non_space()
        name = self.template_name(tok, context)
        pipe: PipeNode | None = None
        if self.next_non_space().typ != lex.T_RIGHT:
            self.backup()
            pipe = self.pipeline(context, lex.T_RIGHT)
        return TemplateNode(tok.pos, tok.line, name, pipe)

    def block(self) -> TemplateNode:
        context = "block clause"
        tok = self.next_non_space()
        name = self.template_name(tok, context)
        pipe = self.pipeline(context, lex.T_RIGHT)
        saved, depth = self.vars, self.range_depth
        self.vars, self.range_depth = ["$"], 0
        body, end = self.item_list()
        self.vars, self.range_depth = saved, depth
        if end.word != "end":
            self.error(f"unexpected {end} in {context}")
        self.add(Tree(name, body))
        return TemplateNode(tok.pos, tok.line, name, pipe)

    def pipeline(self, context: str, end: int) -> PipeNode:
        tok = self.peek_non_space()
        pipe = PipeNode(tok.pos, tok.line)
        while True:
            v = self.peek_non_space()
            if v.typ != lex.T_VAR:
                break
            start = self.i
            self.next_non_space()
            nxt = self.peek_non_space()
            if nxt.typ in (lex.T_ASSIGN, lex.T_DECLARE):
                pipe.is_assign = nxt.typ == lex.T_ASSIGN
                self.next_non_space()
                pipe.decl.append(VariableNode(v.pos, [v.val]))
                self.vars.append(v.val)
                break
            if nxt.typ == lex.T_CHAR and nxt.val == ",":
                self.next_non_space()
                pipe.decl.append(VariableNode(v.pos, [v.val]))
                self.vars.append(v.val)
                if context == "range" and len(pipe.decl) < 2:
                    if self.peek_non_space().typ in (lex.T_VAR, lex.T_RIGHT, lex.T_RPAREN):
                        continue
                    self.error("range can only initialize variables")
                self.error(f"too many declarations in {context}")
            self.i = start  # not a declaration: the variable is the pipeline's first operand
            break
        while True:
            tok = self.next_non_space()
            if tok.typ == end:
                self.check_pipeline(pipe, context)
                return pipe
            if tok.typ in (lex.T_BOOL, lex.T_CHARCONST, lex.T_DOT, lex.T_FIELD, lex.T_IDENT,
                           lex.T_NUMBER, lex.T_NIL, lex.T_RAW, lex.T_STRING, lex.T_VAR,
                           lex.T_LPAREN):
                self.backup()
                pipe.cmds.append(self.command())
            else:
                self.unexpected(tok, context)

    def check_pipeline(self, pipe: PipeNode, context: str) -> None:
        if not pipe.cmds:
            self.error(f"missing value for {context}")
        for i, c in enumerate(pipe.cmds[1:]):
            if isinstance(c.args[0], (BoolNode, DotNode, NilNode, NumberNode, StringNode)):
                self.error(f"non executable command in pipeline stage {i + 2}")

    def command(self) -> CommandNode:
        cmd = CommandNode(self.peek_non_space().pos)
        while True:
            self.peek_non_space()
            op = self.operand()
            if op is not None:
                cmd.args.append(op)
            tok = self.next()
            if tok.typ == lex.T_SPACE:
                continue
            if tok.typ in (lex.T_RIGHT, lex.T_RPAREN):
                self.backup()
            elif tok.typ != lex.T_PIPE:
                self.unexpected(tok, "operand")
            break
        if not cmd.args:
            self.error("empty command")
        return cmd

    def operand(self) -> Node | None:
        node = self.term()
        if node is None:
            return None
        if self.peek().typ == lex.T_FIELD:
            chain = ChainNode(self.peek().pos, node)
            while self.peek().typ == lex.T_FIELD:
                chain.fields.append(self.next().val[1:])
            if isinstance(node, FieldNode):
                return FieldNode(chain.pos, node.ident + chain.fields)
            if isinstance(node, VariableNode):
                return VariableNode(chain.pos, node.ident + chain.fields)
            if isinstance(node, (BoolNode, StringNode, NumberNode, NilNode, DotNode)):
                self.error(f"unexpected . after term {go_quote(str(node))}")
            return chain
        return node

    def term(self) -> Node | None:
        tok = self.next_non_space()
        t = tok.typ
        if t == lex.T_IDENT:
            problem = self.funcs(tok.val)
            if problem:
                self.error(problem)
            return IdentifierNode(tok.pos, tok.val)
        if t == lex.T_DOT:
            return DotNode(tok.pos)
        if t == lex.T_NIL:
            return NilNode(tok.pos)
        if t == lex.T_VAR:
            if tok.val not in self.vars:
                self.error(f"undefined variable {go_quote(tok.val)}")
            return VariableNode(tok.pos, [tok.val])
        if t == lex.T_FIELD:
            return FieldNode(tok.pos, [tok.val[1:]])
        if t == lex.T_BOOL:
            return BoolNode(tok.pos, tok.val == "true")
        if t in (lex.T_NUMBER, lex.T_CHARCONST):
            return self.number(tok)
        if t == lex.T_LPAREN:
            return self.pipeline("parenthesized pipeline", lex.T_RPAREN)
        if t in (lex.T_STRING, lex.T_RAW):
            return StringNode(tok.pos, tok.val, self.unquote(tok.val))
        self.backup()
        return None

    def number(self, tok: Token) -> NumberNode:
        text = tok.val
        if tok.typ == lex.T_CHARCONST:
            if text == "''":
                self.error("invalid syntax")
            try:
                ch = unquote(text)
            except TemplateError:
                self.error("invalid syntax")
                raise
            if len(ch) != 1:
                self.error(f"malformed character constant: {text}")
            return NumberNode(tok.pos, text, True, ord(ch), True, float(ord(ch)), True)
        if text.endswith("i"):
            self.error("complex numbers are not supported")
        clean = text.replace("_", "")
        iv: int | None = None
        if re.fullmatch(r"[+-]?0[0-7]+", clean):
            clean = clean.replace("0", "0o", 1)
        try:
            iv = int(clean, 0)
        except ValueError:
            iv = None
        if iv is not None and not -(1 << 63) <= iv < (1 << 64):
            iv = None
        if iv is not None:
            is_int = -(1 << 63) <= iv < (1 << 63)
            return NumberNode(tok.pos, text, is_int, iv, True, float(iv))
        try:
            fv = float.fromhex(clean) if clean.lower().lstrip("+-").startswith("0x") \
                else float(clean)
        except ValueError:
            self.error(f"illegal number syntax: {go_quote(text)}")
            raise
        if not any(c in text for c in ".eEpP"):
            self.error(f"integer overflow: {go_quote(text)}")
        is_int = math.isfinite(fv) and fv == int(fv) and -(1 << 63) <= fv < (1 << 63)
        return NumberNode(tok.pos, text, is_int, int(fv) if is_int else 0, True, fv)


def _is_empty(lst: ListNode) -> bool:
    """Only white space: a template that another definition may replace (Go's IsEmptyTree)."""
    return all(isinstance(n, TextNode) and not n.text.strip(lex._SPACE) for n in lst.nodes)


def parse(text: str, name: str, funcs: Callable[[str], str | None]) -> dict[str, Tree]:
    """Parse ``text`` as template ``name``; ``funcs(ident)`` says why an identifier is not a
    function (None when it is one). Raises :class:`TemplateError` with Go's message."""
    try:
        return _Parser(text, name, funcs).parse()
    except RecursionError:
        raise TemplateError(f"template: {name}: the template nests too deeply") from None
