"""A flow drawn as layers (pure): where each node's box goes and the path of each edge, for the
instance page's picture and the monitor (jimu/builder_ui/pages/tasks/).

Nodes are layered by the longest path from a start node over the edges that do not go back
(an edge to a node the depth-first walk is still inside is a cycle's way back: 退回, rework);
a layer's nodes keep the order they were met in. Forward edges run from the bottom of their
source to the top of their target; ways back run along the left, so a picture of a flow with
cycles still reads top to bottom. Nodes no start reaches go on a last layer of their own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

BOX_WIDTH = 150
BOX_HEIGHT = 40
GAP_X = 30
GAP_Y = 46
MARGIN = 24


@dataclass(frozen=True)
class Box:
    node: str
    kind: str
    label: Mapping[str, str]
    x: int
    y: int
    width: int = BOX_WIDTH
    height: int = BOX_HEIGHT

    @property
    def centre_x(self) -> int:
        return self.x + self.width // 2


@dataclass(frozen=True)
class Path:
    source: str
    target: str
    #: SVG path data.
    d: str
    #: A way back (a cycle's edge), drawn along the left.
    back: bool


@dataclass(frozen=True)
class FlowPicture:
    width: int
    height: int
    boxes: tuple[Box, ...]
    paths: tuple[Path, ...]


def _walk(
    nodes: Sequence[str], outgoing: Mapping[str, list[str]], starts: Sequence[str]
) -> tuple[list[str], set[tuple[str, str]]]:
    """The nodes in the order a depth-first walk from the starts meets them, and the edges
    that go back to a node the walk is inside."""
    order: list[str] = []
    back: set[tuple[str, str]] = set()
    state: dict[str, int] = {}  # 1: inside, 2: done
    for start in starts:
        if start in state:
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        state[start] = 1
        order.append(start)
        while stack:
            node, index = stack[-1]
            targets = outgoing.get(node, [])
            if index >= len(targets):
                state[node] = 2
                stack.pop()
                continue
            stack[-1] = (node, index + 1)
            target = targets[index]
            seen = state.get(target)
            if seen == 1:
                back.add((node, target))
            elif seen is None:
                state[target] = 1
                order.append(target)
                stack.append((target, 0))
    return order, back


def _layers(
    order: Sequence[str], edges: Sequence[tuple[str, str]], back: set[tuple[str, str]]
) -> dict[str, int]:
    """Each reached node's layer: the longest forward path to it from a start."""
    reached = set(order)
    incoming: dict[str, list[str]] = {n: [] for n in order}
    for source, target in edges:
        if (source, target) not in back and source in reached and target in reached:
            incoming[target].append(source)
    layer: dict[str, int] = {}
    remaining = list(order)
    while remaining:  # forward edges form no cycle, so each pass places at least one node
        later = []
        for node in remaining:
            sources = incoming[node]
            if all(s in layer for s in sources):
                layer[node] = max((layer[s] + 1 for s in sources), default=0)
            else:
                later.append(node)
        if len(later) == len(remaining):  # not expected; place the rest below
            top = max(layer.values(), default=-1) + 1
            layer.update({n: top for n in later})
            break
        remaining = later
    return layer


def layout(doc: Mapping[str, Any]) -> FlowPicture:
    """The picture of a flow document (its nodes and edges as stored)."""
    nodes = [n for n in doc.get("nodes") or [] if isinstance(n, Mapping) and n.get("id")]
    ids = [str(n["id"]) for n in nodes]
    known = set(ids)
    edges = [
        (str(e["from"]), str(e["to"]))
        for e in doc.get("edges") or []
        if isinstance(e, Mapping) and e.get("from") in known and e.get("to") in known
    ]
    outgoing: dict[str, list[str]] = {}
    for source, target in edges:
        outgoing.setdefault(source, []).append(target)
    starts = [str(n["id"]) for n in nodes if n.get("type") == "start"] or ids[:1]
    order, back = _walk(ids, outgoing, starts)
    layer = _layers(order, edges, back)
    unreached = [n for n in ids if n not in layer]
    bottom = max(layer.values(), default=-1) + 1
    for node in unreached:
        layer[node] = bottom
    rows: dict[int, list[str]] = {}
    for node in [*order, *unreached]:
        rows.setdefault(layer[node], []).append(node)
    widest = max((len(r) for r in rows.values()), default=1)
    inner = widest * BOX_WIDTH + (widest - 1) * GAP_X
    left = MARGIN + GAP_X  # room for the ways back
    by_id = {str(n["id"]): n for n in nodes}
    boxes: dict[str, Box] = {}
    for index, row in sorted(rows.items()):
        width = len(row) * BOX_WIDTH + (len(row) - 1) * GAP_X
        x = left + (inner - width) // 2
        y = MARGIN + index * (BOX_HEIGHT + GAP_Y)
        for node in row:
            data = by_id[node]
            label = data.get("label") if isinstance(data.get("label"), Mapping) else {}
            boxes[node] = Box(node, str(data.get("type", "")), dict(label or {}), x, y)
            x += BOX_WIDTH + GAP_X
    width = left + inner + GAP_X + MARGIN  # room for the long edges on the right
    lanes = (MARGIN // 2, width - MARGIN // 2)
    paths = tuple(
        _path(boxes[s], boxes[t], (s, t) in back, layer[t] - layer[s] > 1, lanes) for s, t in edges
    )
    height = MARGIN * 2 + len(rows) * BOX_HEIGHT + max(len(rows) - 1, 0) * GAP_Y
    return FlowPicture(width, height, tuple(boxes.values()), paths)


def _path(source: Box, target: Box, back: bool, long: bool, lanes: tuple[int, int]) -> Path:
    """Forward edges between neighbouring layers go straight down (with one turn); longer
    ones run along the right margin so they cross no box; ways back along the left."""
    sy, ty = source.y + source.height // 2, target.y + target.height // 2
    if back or target.y <= source.y:
        d = f"M {source.x} {sy} H {lanes[0]} V {ty} H {target.x - 4}"
        return Path(source.node, target.node, d, True)
    if long:
        end = target.x + target.width
        d = f"M {source.x + source.width} {sy} H {lanes[1]} V {ty} H {end + 4}"
        return Path(source.node, target.node, d, False)
    sx, sy = source.centre_x, source.y + source.height
    tx, ty = target.centre_x, target.y - 4
    middle = (sy + ty) // 2
    d = f"M {sx} {sy} V {middle} H {tx} V {ty}"
    return Path(source.node, target.node, d, False)
