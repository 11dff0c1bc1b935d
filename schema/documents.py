"""One linear walk over a GraphQL document: what the document limits (schema/limits.py) check.

Every operation and every fragment is walked once; a fragment's tally is memoised (per page size
handed down to it), so a spread costs a dictionary lookup however often fragments spread each
other. The walk measures, in one pass:

- cost: each field selected costs 1 for every object it is resolved on (a long text more, see
  TEXT_WEIGHTS). A list field multiplies its sub-selection by its `first`/`last` (or by
  DEFAULT_PAGE_SIZE); a connection (a field with `first` that returns an object) hands its page
  size to the lists below it (`edges`, `nodes`). Introspection costs 1.
- depth: levels of fields with a sub-selection, introspection left out (as strawberry's
  QueryDepthLimiter counts them);
- aliases: aliased fields, a fragment's counted at each spread (as strawberry's MaxAliasesLimiter);
- the first response name selected more than MAX_REPEATED_FIELD times side by side, and the
  first number literal too long to convert;
- fragment work: the fragments each operation reaches, by size, summed over the operations,
  which graphql-core's per-operation rules (NoUnusedFragments, NoUndefinedVariables, ...) walk
  once per operation.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FloatValueNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
)

from schema.pagination import DEFAULT_PAGE_SIZE
from service import settings

# How often one response name may be selected side by side. graphql-core compares every pair of
# same-named fields (and their sub-selections) to check they can merge: 500 copies of
# `articles { totalCount }` take over a second to validate. Real queries repeat a field a few times.
MAX_REPEATED_FIELD = 32
# Longest number literal: GraphQL's Int is 32 bits (11 characters); Python refuses to convert an
# integer of over 4,300 digits (with a message of its own), and nothing needs more than this.
MAX_NUMBER_LENGTH = 64
# Fields whose values are long texts, and what each weighs in the cost, in ordinary fields: a
# wire story runs to a few kilobytes, an ordinary field to a few dozen bytes.
TEXT_WEIGHTS: dict[tuple[str, str], int] = {("Article", "text"): 100}


@dataclass(frozen=True, slots=True)
class Tally:
    """What a selection set (with the fragments it spreads) measures."""

    cost: int = 0
    depth: int = 0
    aliases: int = 0


_NOTHING = Tally()


def _unwrap(type_: Any) -> tuple[int, Any]:
    """(how many list wrappers, the named type) of a field's output type."""
    lists = 0
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        if isinstance(type_, GraphQLList):
            lists += 1
        type_ = type_.of_type
    return lists, type_


def _values(value: ValueNode) -> Iterator[ValueNode]:
    """A value and every value nested in it."""
    stack = [value]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ListValueNode):
            stack.extend(node.values)
        elif isinstance(node, ObjectValueNode):
            stack.extend(field.value for field in node.fields)


class DocumentWalk:
    """The walk of one document (with the variables of one request, for the page sizes)."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode, variables: dict[str, Any] | None) -> None:
        self.schema = schema
        self.document = document
        self.variables = variables if isinstance(variables, dict) else {}
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.defaults: dict[str, Any] = {}
        self.memo: dict[tuple[str, int | None], Tally] = {}
        self.active: set[str] = set()
        self.repeated: FieldNode | None = None
        self.long_number: ValueNode | None = None

    def operation(self, operation: OperationDefinitionNode) -> Tally:
        definitions = operation.variable_definitions or ()
        self.check_directives(operation.directives)
        for definition in definitions:
            self.check_directives(definition.directives)
            if definition.default_value is not None:
                self.check_value(definition.default_value)
        self.defaults = {
            v.variable.name.value: int(v.default_value.value)
            for v in definitions
            if isinstance(v.default_value, IntValueNode) and len(v.default_value.value) <= MAX_NUMBER_LENGTH
        }
        root = self.schema.get_root_type(operation.operation)
        return self.selections(operation.selection_set, root, None)

    def check_value(self, value: ValueNode) -> None:
        if self.long_number is not None:
            return
        for node in _values(value):
            if isinstance(node, IntValueNode | FloatValueNode) and len(node.value) > MAX_NUMBER_LENGTH:
                self.long_number = node
                return

    def check_directives(self, directives: Iterable[DirectiveNode] | None) -> None:
        for directive in directives or ():
            for argument in directive.arguments or ():
                self.check_value(argument.value)

    def size(self, node: FieldNode, field: Any) -> int | None:
        """The page size a field asks for; None when it takes no `first`/`last`."""
        if "first" not in field.args and "last" not in field.args:
            return None
        given = {arg.name.value: arg.value for arg in node.arguments or ()}
        value: Any = None
        for name in ("first", "last"):
            node_value = given.get(name)
            if isinstance(node_value, IntValueNode) and len(node_value.value) <= MAX_NUMBER_LENGTH:
                value = int(node_value.value)
            elif isinstance(node_value, VariableNode):
                var = node_value.name.value
                value = self.variables.get(var, self.defaults.get(var))
            if value is not None:
                break
        if not isinstance(value, int) or isinstance(value, bool):
            default = field.args.get("first")
            value = default.default_value if default is not None else None
            if not isinstance(value, int) or isinstance(value, bool):
                value = DEFAULT_PAGE_SIZE
        # Beyond the largest page the resolver refuses with a clearer message than ours.
        size: int = max(1, min(value, settings.MAX_PAGE_SIZE))
        return size

    def selections(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType | None, pending: int | None
    ) -> Tally:
        cost = depth = aliases = 0
        names: dict[str, int] = {}
        for selection in selection_set.selections:
            self.check_directives(selection.directives)
            if isinstance(selection, FieldNode):
                tally = self.field(selection, parent, pending)
                cost += 1
                aliases += selection.alias is not None
                key = (selection.alias or selection.name).value
                names[key] = names.get(key, 0) + 1
                if names[key] > MAX_REPEATED_FIELD and self.repeated is None:
                    self.repeated = selection
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                type_ = self.schema.get_type(condition.name.value) if condition else parent
                tally = self.selections(selection.selection_set, type_, pending)
            elif isinstance(selection, FragmentSpreadNode):
                tally = self.fragment(selection.name.value, pending)
            else:  # pragma: no cover - graphql-core has no other selection
                continue
            cost += tally.cost
            depth = max(depth, tally.depth)
            aliases += tally.aliases
        return Tally(cost, depth, aliases)

    def field(self, node: FieldNode, parent: GraphQLNamedType | None, pending: int | None) -> Tally:
        for argument in node.arguments or ():
            self.check_value(argument.value)
        composite = isinstance(parent, GraphQLObjectType | GraphQLInterfaceType)
        name = node.name.value
        if node.selection_set is None:
            weight = TEXT_WEIGHTS.get((parent.name, name), 1) if composite else 1  # type: ignore[union-attr]
            return Tally(cost=weight - 1) if weight != 1 else _NOTHING
        if name.startswith("__"):  # introspection: bounded by the schema; its aliases still count
            return Tally(aliases=self.selections(node.selection_set, None, None).aliases)
        field = parent.fields.get(name) if composite else None  # type: ignore[union-attr]
        if field is None:  # validation reports it; count what is below at face value
            below = self.selections(node.selection_set, None, None)
            return Tally(below.cost, below.depth + 1, below.aliases)
        size = self.size(node, field)
        lists, named = _unwrap(field.type)
        if lists:
            each = size if size is not None else pending or DEFAULT_PAGE_SIZE
            multiplier: int = each * DEFAULT_PAGE_SIZE ** (lists - 1)
            below = self.selections(node.selection_set, named, None)
            return Tally(multiplier * below.cost, below.depth + 1, below.aliases)
        below = self.selections(node.selection_set, named, size)
        return Tally(below.cost, below.depth + 1, below.aliases)

    def fragment(self, name: str, pending: int | None) -> Tally:
        key = (name, pending)
        if (known := self.memo.get(key)) is not None:
            return known
        definition = self.fragments.get(name)
        if definition is None or name in self.active:  # unknown or cyclic: validation reports it
            return _NOTHING
        self.active.add(name)
        try:
            self.check_directives(definition.directives)
            type_ = self.schema.get_type(definition.type_condition.name.value)
            tally = self.memo[key] = self.selections(definition.selection_set, type_, pending)
        finally:
            self.active.discard(name)
        return tally

    def operations(self, operation_name: str | None = None) -> Iterator[tuple[OperationDefinitionNode, Tally]]:
        """Each operation (only the named one, when a name is given) with its tally."""
        for definition in self.document.definitions:
            if not isinstance(definition, OperationDefinitionNode):
                continue
            if operation_name is not None and (definition.name is None or definition.name.value != operation_name):
                continue
            yield definition, self.operation(definition)

    def all_fragments(self) -> None:
        """Walks the fragments no operation reached, for their literals and repeated fields."""
        for name in self.fragments:
            self.fragment(name, None)


def _spreads(selection_set: SelectionSetNode) -> list[str]:
    """The fragments a selection set spreads, at any depth, in order."""
    names: list[str] = []
    stack = [selection_set]
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                names.append(selection.name.value)
            elif isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set is not None:
                stack.append(selection.selection_set)
    return names


def _length(node: Any) -> int:
    loc = node.loc
    return loc.end - loc.start if loc is not None else 1


def fragment_work(document: DocumentNode, limit: int) -> int:
    """The size (in characters) of the fragments each operation reaches, summed over the
    operations; stops counting past `limit`, so it costs at most `limit` steps plus the document."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    spreads = {name: _spreads(d.selection_set) for name, d in fragments.items()}
    total = 0
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        reached: set[str] = set()
        pending = _spreads(definition.selection_set)
        while pending and total <= limit:
            name = pending.pop()
            total += 1
            if name in reached or name not in fragments:
                continue
            reached.add(name)
            total += _length(fragments[name])
            pending.extend(spreads[name])
    return total
