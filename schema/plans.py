"""Compiled plans: repeated read-only queries answered without graphql-core's per-field machinery.

graphql-core completes every field of every object through the same general path (a resolve
info, a path, awaitability checks, error handling), and that, not SQL, is most of what a nested
page costs. A frontend sends the same few documents again and again, so a document the server has
already answered once without error is compiled into a plan: its fields collected once per type,
plain attributes read directly, leaf values coerced by the schema's own scalars and enums, and
the resolvers that load data (the same strawberry resolvers graphql-core would call, with the same
arguments and the request's loaders) called level by level, so every relation still loads in
one batch per level; a relation marked `@batched` (schema/batching.py) is resolved once for all
the objects of a level instead of once for each.

A plan covers query operations without directives, introspection or fragment arguments. Anything
unusual in a request (variables that do not coerce, a cost over the limit, a resolver error, a
null where the schema forbids one) makes it step aside: the request runs through strawberry as if
there were no plan, and gets strawberry's exact errors. Only a successful run through strawberry
admits a document, so parsing, validation and the document limits (schema/limits.py) have passed.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from inspect import isawaitable
from types import FunctionType
from typing import Any, TypeGuard

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLAbstractType,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSchema,
    InlineFragmentNode,
    Node,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_nullable_type,
    is_abstract_type,
    is_leaf_type,
    parse,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from graphql.pyutils import Path, Undefined
from graphql.type.definition import GraphQLResolveInfoHelpers
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types import Info
from strawberry.types.field import StrawberryField

from schema.batching import BATCH_ATTRIBUTE, Failed, settle
from schema.limits import query_cost
from schema.responses import ResponseTooLarge, response_too_large

_LEAF, _LIST, _OBJECT, _ABSTRACT = range(4)
_NO_VARIABLES = VariableValues(sources={}, coerced={})
logger = logging.getLogger(__name__)


def _is_awaitable(value: Any) -> TypeGuard[Awaitable[Any]]:
    return isawaitable(value)


class Unplannable(Exception):
    """The document uses something plans do not cover; strawberry runs it."""


class StepAside(Exception):
    """This request must run through strawberry (it would end in an error there)."""


@dataclass(slots=True)
class _Shape:
    """A field's output type, unwrapped once."""

    kind: int
    non_null: bool
    coerce: Callable[[Any], Any] | None = None
    coerced: dict[Any, Any] | None = None  # outputs already coerced, for an enum
    item: _Shape | None = None
    name: str = ""
    abstract: GraphQLAbstractType | None = None


def _shape(type_: GraphQLOutputType) -> _Shape:
    non_null = isinstance(type_, GraphQLNonNull)
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    if isinstance(type_, GraphQLList):
        return _Shape(_LIST, non_null, item=_shape(type_.of_type))
    if isinstance(type_, GraphQLEnumType):
        # An enum has few values: each member's output is looked up once, then remembered.
        return _Shape(_LEAF, non_null, coerce=type_.coerce_output_value, coerced={})
    if is_leaf_type(type_):
        return _Shape(_LEAF, non_null, coerce=type_.coerce_output_value)
    if isinstance(type_, GraphQLObjectType):
        return _Shape(_OBJECT, non_null, name=type_.name)
    assert is_abstract_type(type_)
    return _Shape(_ABSTRACT, non_null, abstract=type_)


def _contains(node: Any, test: Callable[[Any], bool]) -> bool:
    """Whether an AST node, or any node below it, passes `test`."""
    if test(node):
        return True
    if isinstance(node, Node):
        return any(_contains(getattr(node, key), test) for key in node.keys if key != "loc")
    if isinstance(node, tuple | list):
        return any(_contains(item, test) for item in node)
    return False


def _uses_variables(node: Any) -> bool:
    return _contains(node, lambda n: isinstance(n, VariableNode))


def _sizes_use_variables(node: Any) -> bool:
    """Whether a variable sets some `first` or `last`: the document's cost then varies by request."""
    return _contains(
        node,
        lambda n: isinstance(n, ArgumentNode) and n.name.value in ("first", "last") and _uses_variables(n.value),
    )


# Leaf types whose values of one exact Python type are their own output: no coercion to call.
_PASSTHROUGH = {"String": str, "Boolean": bool, "Int": int, "Float": float, "ID": str}
_INT32 = range(-(2**31), 2**31)


@dataclass(slots=True, eq=False)
class _Field:
    """One response key of a selection on one object type."""

    plan: Plan
    key: str
    nodes: list[FieldNode]
    parent: GraphQLObjectType
    definition: GraphQLField | None  # None for __typename
    shape: _Shape | None = None
    attr: str | None = None  # the Python attribute, for a field without a resolver
    passthrough: type | None = None  # a leaf's values of this exact type are output as they are
    args: dict[str, Any] | None = None  # the arguments, when no variable sets them
    # A resolver without arguments or field extensions, called as itself: strawberry's wrapper
    # (argument conversion, extension chain) costs more than most of these resolvers.
    direct: Callable[..., Any] | None = None
    # The same resolver for every object of a level at once (schema.batching.batched).
    batch: Callable[[list[Any], Any], Awaitable[list[Any]]] | None = None
    self_arg: bool = False
    info_name: str | None = None
    strawberry_field: Any = None
    children: dict[str, list[_Field]] = field(default_factory=dict)

    def compile_children(self) -> None:
        """The sub-selection for every object type the field can return, all of it at once, so a
        document is known to be plannable before it runs."""
        shape = self.shape
        while shape is not None and shape.kind == _LIST:
            shape = shape.item
        if shape is None or shape.kind == _LEAF:
            return
        schema = self.plan.schema
        if shape.kind == _OBJECT:
            object_types = [schema.get_type(shape.name)]
        else:
            object_types = list(schema.get_possible_types(shape.abstract))  # type: ignore[arg-type]
        selections = [node.selection_set for node in self.nodes if node.selection_set is not None]
        for object_type in object_types:
            assert isinstance(object_type, GraphQLObjectType)
            self.children[object_type.name] = self.plan.collect(object_type, selections)


class Plan:
    """One query document (and operation), compiled for repeated runs."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode, operation_name: str | None) -> None:
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if operation_name is not None:
            operations = [o for o in operations if o.name is not None and o.name.value == operation_name]
        if len(operations) != 1 or operations[0].operation != OperationType.QUERY:
            raise Unplannable("not exactly one query operation")
        self.schema = schema
        self.document = document
        self.operation_name = operation_name
        self.operation = operations[0]
        if self.operation.directives:
            raise Unplannable("operation directives")
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.has_variables = bool(self.operation.variable_definitions)
        # Strawberry checked the cost when it answered the document; it is the same every time
        # unless a variable sets a page size.
        self.cost_varies = self.has_variables and _sizes_use_variables(document)
        query_type = schema.query_type
        assert query_type is not None
        self.query_type = query_type
        self.root = self.collect(query_type, [self.operation.selection_set])

    def collect(self, object_type: GraphQLObjectType, selection_sets: list[SelectionSetNode]) -> list[_Field]:
        """The fields selected on an object of `object_type`, merged by response key, in order."""
        grouped: dict[str, list[FieldNode]] = {}
        seen_fragments: set[str] = set()

        def walk(selection_set: SelectionSetNode) -> None:
            for selection in selection_set.selections:
                if selection.directives:
                    raise Unplannable("directives on a selection")
                if isinstance(selection, FieldNode):
                    key = (selection.alias or selection.name).value
                    grouped.setdefault(key, []).append(selection)
                elif isinstance(selection, InlineFragmentNode):
                    condition = selection.type_condition
                    if condition is None or self._applies(condition.name.value, object_type):
                        walk(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    if getattr(selection, "arguments", None):
                        raise Unplannable("fragment arguments")
                    name = selection.name.value
                    if name in seen_fragments:
                        continue
                    seen_fragments.add(name)
                    fragment = self.fragments[name]
                    if self._applies(fragment.type_condition.name.value, object_type):
                        walk(fragment.selection_set)

        for selection_set in selection_sets:
            walk(selection_set)
        fields = [self._field(object_type, key, nodes) for key, nodes in grouped.items()]
        for planned in fields:
            planned.compile_children()
        return fields

    def _applies(self, condition: str, object_type: GraphQLObjectType) -> bool:
        condition_type = self.schema.get_type(condition)
        if condition_type is object_type:
            return True
        return is_abstract_type(condition_type) and self.schema.is_sub_type(
            condition_type,
            object_type,
        )

    def _field(self, parent: GraphQLObjectType, key: str, nodes: list[FieldNode]) -> _Field:
        name = nodes[0].name.value
        if name == "__typename":
            return _Field(self, key, nodes, parent, None)
        if name.startswith("__"):
            raise Unplannable("introspection")
        definition = parent.fields[name]
        if definition.resolve is None:
            raise Unplannable("a field without strawberry's resolver")
        planned = _Field(self, key, nodes, parent, definition, shape=_shape(definition.type))
        strawberry_field: StrawberryField | None = (definition.extensions or {}).get(
            GraphQLCoreConverter.DEFINITION_BACKREF
        )
        resolver = strawberry_field.base_resolver if strawberry_field is not None else None
        if getattr(definition.resolve, "_is_default", False) and strawberry_field is not None:
            planned.attr = strawberry_field.python_name
            leaf = get_nullable_type(definition.type)
            if is_leaf_type(leaf):
                planned.passthrough = _PASSTHROUGH.get(leaf.name)
        elif (
            strawberry_field is not None
            and resolver is not None
            and not strawberry_field.extensions
            and not definition.args
            and resolver.root_parameter is None
            and resolver.parent_parameter is None
            and isinstance(resolver.wrapped_func, FunctionType)
        ):
            planned.direct = resolver.wrapped_func
            planned.batch = getattr(resolver.wrapped_func, BATCH_ATTRIBUTE, None)
            planned.self_arg = resolver.self_parameter is not None
            planned.info_name = resolver.info_parameter.name if resolver.info_parameter is not None else None
            planned.strawberry_field = strawberry_field
        if planned.attr is not None or planned.direct is not None:
            pass
        elif definition.args or nodes[0].arguments:
            if not _uses_variables(nodes[0].arguments):
                planned.args = get_argument_values(definition, nodes[0], _NO_VARIABLES)
        else:
            planned.args = {}
        return planned

    async def run(self, context: Any, variables: dict[str, Any] | None, max_cost: int, max_text: int) -> dict[str, Any]:
        """The `data` of the response; StepAside when strawberry must answer instead, and
        RESPONSE_TOO_LARGE (a GraphQLError) past `max_text` characters of text, as strawberry."""
        values = _NO_VARIABLES
        if self.has_variables:
            coerced = get_variable_values(self.schema, self.operation.variable_definitions or (), variables or {})
            if isinstance(coerced, list):
                raise StepAside("variables do not coerce")
            values = coerced
            # Every operation of the document, as strawberry's check (schema/limits.py) counts it.
            if self.cost_varies and query_cost(self.schema, self.document, variables) > max_cost:
                raise StepAside("over the cost limit")
        return await _Run(self, context, values, max_text).execute()


class _Run:
    """One execution of a plan: breadth first, one batch of resolver calls per level."""

    def __init__(self, plan: Plan, context: Any, variables: VariableValues, max_text: int) -> None:
        self.plan = plan
        # Characters of text completed so far, counted as BudgetedExecutionContext counts them.
        self.text = 0
        self.max_text = max_text
        self.context = context
        self.variables = variables
        self.infos: dict[int, GraphQLResolveInfo[Any]] = {}
        self.strawberry_infos: dict[int, Info[Any, Any]] = {}
        self.helpers = GraphQLResolveInfoHelpers(gather=self._gather, track=lambda values: None)

    @staticmethod
    async def _gather(values: Any) -> list[Any]:
        return list(await asyncio.gather(*values))  # for a resolver that asks for it

    def info(self, planned: _Field) -> GraphQLResolveInfo[Any]:
        info = self.infos.get(id(planned))
        if info is None:
            plan = self.plan
            assert planned.definition is not None
            info = self.infos[id(planned)] = GraphQLResolveInfo(
                planned.nodes[0].name.value,
                planned.nodes,
                planned.definition.type,
                planned.parent,
                Path(None, planned.key, planned.parent.name),
                plan.schema,
                plan.fragments,
                None,
                plan.operation,
                self.variables,
                self.context,
                _is_awaitable,
                None,
                self.helpers,
            )
        return info

    def strawberry_info(self, planned: _Field) -> Info[Any, Any]:
        info = self.strawberry_infos.get(id(planned))
        if info is None:
            info = Info(_raw_info=self.info(planned), _field=planned.strawberry_field)
            self.strawberry_infos[id(planned)] = info
        return info

    def call(self, planned: _Field, source: Any) -> Any:
        direct = planned.direct
        assert direct is not None
        if planned.info_name is None:
            return direct(source) if planned.self_arg else direct()
        keywords = {planned.info_name: self.strawberry_info(planned)}
        return direct(source, **keywords) if planned.self_arg else direct(**keywords)

    def arguments(self, planned: _Field) -> dict[str, Any]:
        if planned.args is not None:
            return planned.args
        assert planned.definition is not None
        return get_argument_values(planned.definition, planned.nodes[0], self.variables)

    async def execute(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        level: list[tuple[Any, list[_Field], dict[str, Any], str]] = [
            (None, self.plan.root, data, self.plan.query_type.name)
        ]
        while level:
            following: list[tuple[Any, list[_Field], dict[str, Any], str]] = []
            waiting: list[tuple[Any, _Field, dict[str, Any] | list[dict[str, Any]]]] = []
            try:
                self.start_level(level, following, waiting)
            except BaseException:
                for awaitable, _, _ in waiting:
                    if hasattr(awaitable, "close"):
                        awaitable.close()  # never started: no "was never awaited" warning
                raise
            self.check_size()
            if waiting:
                results = await settle([w[0] for w in waiting])
                for (_, planned, out), value in zip(waiting, results, strict=True):
                    if isinstance(value, Failed):
                        raise StepAside("a resolver failed") from value.error
                    shape = planned.shape
                    assert shape is not None
                    if isinstance(out, dict):
                        out[planned.key] = self.complete(planned, shape, value, following)
                        continue
                    if len(value) != len(out):  # a batch answers for each of its parents
                        raise StepAside("a batch resolver gave the wrong number of values")
                    for one, item in zip(out, value, strict=True):
                        one[planned.key] = self.complete(planned, shape, item, following)
                self.check_size()
            level = following
        return data

    def check_size(self) -> None:
        if self.text > self.max_text:
            raise response_too_large(self.max_text)

    def start_level(
        self,
        level: list[tuple[Any, list[_Field], dict[str, Any], str]],
        following: list[tuple[Any, list[_Field], dict[str, Any], str]],
        waiting: list[tuple[Any, _Field, dict[str, Any] | list[dict[str, Any]]]],
    ) -> None:
        """Reads and completes every field it can at once; queues the awaitable ones, and one call
        of each batch resolver for all the objects of the level."""
        batches: dict[int, tuple[_Field, list[Any], list[dict[str, Any]]]] = {}
        text = 0
        for source, fields, out, type_name in level:
            for planned in fields:
                if planned.definition is None:
                    out[planned.key] = type_name
                    text += len(type_name)
                    continue
                if planned.batch is not None:
                    out[planned.key] = None
                    batch = batches.get(id(planned))
                    if batch is None:
                        batch = batches[id(planned)] = (planned, [], [])
                    batch[1].append(source)
                    batch[2].append(out)
                    continue
                if planned.attr is not None:
                    value = getattr(source, planned.attr)
                    passthrough = planned.passthrough
                    if (
                        passthrough is not None
                        and type(value) is passthrough
                        and (passthrough is not int or value in _INT32)
                    ):
                        if passthrough is str:
                            text += len(value)  # type: ignore[arg-type]
                        out[planned.key] = value
                        continue
                elif planned.direct is not None:
                    try:
                        value = self.call(planned, source)
                    except Exception as error:
                        raise StepAside("a resolver failed") from error
                    if isawaitable(value):
                        out[planned.key] = None
                        waiting.append((value, planned, out))
                        continue
                else:
                    try:
                        value = planned.definition.resolve(  # type: ignore[misc]
                            source, self.info(planned), **self.arguments(planned)
                        )
                    except Exception as error:
                        raise StepAside("a resolver failed") from error
                    if isawaitable(value):
                        out[planned.key] = None  # keeps the key's place in the response
                        waiting.append((value, planned, out))
                        continue
                out[planned.key] = self.complete(planned, planned.shape, value, following)  # type: ignore[arg-type]
        self.text += text
        for planned, sources, outs in batches.values():
            assert planned.batch is not None
            waiting.append((planned.batch(sources, self.strawberry_info(planned)), planned, outs))

    def complete(
        self,
        planned: _Field,
        shape: _Shape,
        value: Any,
        following: list[tuple[Any, list[_Field], dict[str, Any], str]],
    ) -> Any:
        if value is None:
            if shape.non_null:
                raise StepAside("null in a non-null field")
            return None
        kind = shape.kind
        if kind == _LEAF:
            known = shape.coerced
            if known is None or (coerced := known.get(value)) is None:
                coerced = shape.coerce(value)  # type: ignore[misc]
                if coerced is None or coerced is Undefined:
                    raise StepAside("a leaf value does not coerce")
                if known is not None:
                    known[value] = coerced
            if type(coerced) is str:
                self.text += len(coerced)
            return coerced
        if kind == _LIST:
            item = shape.item
            assert item is not None
            if item.kind != _OBJECT:
                return [self.complete(planned, item, v, following) for v in value]
            # A list of objects, the commonest list there is: each an empty dict to fill next level.
            name, fields = item.name, planned.children[item.name]
            completed: list[dict[str, Any] | None] = []
            for v in value:
                if v is None:
                    if item.non_null:
                        raise StepAside("null in a non-null list item")
                    completed.append(None)
                    continue
                filled: dict[str, Any] = {}
                following.append((v, fields, filled, name))
                completed.append(filled)
            return completed
        name = shape.name if kind == _OBJECT else self.runtime_type(planned, value)
        out: dict[str, Any] = {}
        following.append((value, planned.children[name], out, name))
        return out

    def runtime_type(self, planned: _Field, value: Any) -> str:
        definition = getattr(type(value), "__strawberry_definition__", None)
        name = getattr(definition, "name", None)
        schema = self.plan.schema
        object_type = schema.get_type(name) if isinstance(name, str) else None
        if not isinstance(object_type, GraphQLObjectType) or object_type.name not in planned.children:
            raise StepAside("no runtime type")
        return object_type.name


class Plans:
    """Plans by (document text, operation name), least recently used first out."""

    def __init__(self, schema: GraphQLSchema, max_entries: int = 256) -> None:
        self.schema = schema
        self.max_entries = max_entries
        self.entries: OrderedDict[tuple[str, str | None], Plan | None] = OrderedDict()
        self.runs = 0
        self.step_asides = 0

    def get(self, query: str | None, operation_name: str | None) -> Plan | None:
        if query is None:
            return None
        key = (query, operation_name)
        plan = self.entries.get(key)
        if plan is not None:
            self.entries.move_to_end(key)
        return plan

    def admit(self, query: str | None, operation_name: str | None) -> None:
        """Compile a document strawberry has just answered without error (or note it cannot be)."""
        if query is None or (query, operation_name) in self.entries:
            return
        try:
            plan: Plan | None = Plan(self.schema, parse(query), operation_name)
        except (Unplannable, GraphQLError, KeyError):
            plan = None
        except Exception:  # a document the compiler did not foresee: strawberry answers it
            logger.warning(
                "query plan: cannot compile operation %r; strawberry answers it", operation_name, exc_info=True
            )
            plan = None
        self.entries[(query, operation_name)] = plan
        while len(self.entries) > self.max_entries:
            self.entries.popitem(last=False)

    async def run(
        self, plan: Plan, context: Any, variables: dict[str, Any] | None, max_cost: int, max_text: int
    ) -> dict[str, Any] | None:
        """The response data, or None when the request must run through strawberry;
        ResponseTooLarge, the refusal strawberry would make too, past `max_text`."""
        try:
            data = await plan.run(context, variables, max_cost, max_text)
        except ResponseTooLarge:
            raise
        except (StepAside, GraphQLError):  # strawberry's answer is an error: it gives it exactly
            self.step_asides += 1
            return None
        except Exception:
            # A failure no plan should have: the plan goes (strawberry answers this document from
            # now on, so this is logged once, not once a request) and strawberry answers this one.
            self.evict(plan)
            logger.warning("query plan: operation %r failed; strawberry answers it", plan.operation_name, exc_info=True)
            return None
        self.runs += 1
        return data

    def evict(self, plan: Plan) -> None:
        """Marks the plan's document as not plannable, so it is not compiled again."""
        for key, entry in self.entries.items():
            if entry is plan:
                self.entries[key] = None
