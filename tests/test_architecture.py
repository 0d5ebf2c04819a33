"""The code's shape holds: no import cycles among our modules, small storage Protocols, docstrings written once."""

from __future__ import annotations

import inspect
import typing

import grimp

from bot.ports import storage
from storage.uow import SqlUnit

MAX_PROTOCOL_METHODS = 20


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), i.e. import cycles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_there_are_no_import_cycles_among_our_modules() -> None:
    graph = grimp.build_graph("bot", "handlers", "storage", include_external_packages=False)
    assert _cycles(graph) == []


def _protocols() -> list[type]:
    return [
        value
        for value in vars(storage).values()
        if inspect.isclass(value)
        and getattr(value, "_is_protocol", False)
        and value.__module__.startswith(storage.__name__)
    ]


def test_no_storage_protocol_has_more_than_twenty_methods() -> None:
    sizes = {
        p.__name__: len([n for n, v in vars(p).items() if inspect.isfunction(v) and n[0] != "_"]) for p in _protocols()
    }
    assert {"People", "Claims", "Outbox", "Cards", "Unit", "Store"} <= set(sizes)
    assert max(sizes.values()) <= MAX_PROTOCOL_METHODS, sizes


def test_each_repository_implements_its_protocol_and_repeats_no_docstring() -> None:
    for name in SqlUnit.__slots__:
        protocol = typing.get_type_hints(getattr(storage.Unit, name).fget)["return"]
        implementation = _implementation(name)
        assert protocol in implementation.__mro__, f"{implementation.__name__} does not subclass {protocol.__name__}"
        for method, value in vars(implementation).items():
            if inspect.isfunction(value) and not method.startswith("_"):
                assert value.__doc__ is None, f"{implementation.__name__}.{method} repeats its Protocol's docstring"
                assert method in vars(protocol), f"{implementation.__name__}.{method} is not in {protocol.__name__}"


def _implementation(name: str) -> type:
    class _Nothing:
        lock_rows = ""

        async def execute_fetchall(self, sql: str, parameters: object = ()) -> list[object]:
            return []

        async def execute_insert(self, sql: str, parameters: object = ()) -> tuple[int] | None:
            return None

    return type(getattr(SqlUnit(_Nothing()), name))
