"""Synthetic territories written as OpenStreetMap PBF, to measure routing at the size of a pôle.

    python -m benchmarks.territory --walk-nodes 160000 --out /tmp/territory-160k.osm.pbf

A territory is a set of towns on a ~Provence-sized area. Each town is an irregular grid of
streets (jittered, slightly rotated, with curved blocks, a few missing links bridged only by
footways or cycleways, one-way streets, a pedestrian centre, steps), named streets with house
numbers and a ``place=town`` node, so the offline geocoder has something to find. Towns are
joined by arterials (secondary/primary roads, some with a speed limit) and a motorway with two
one-way carriageways crosses the area, with ramps (``motorway_link``) near the towns it
passes. The number of towns grows with ``walk_nodes``, the target number of nodes of the
*simplified* walking network (intersections and dead ends); the real count is printed.

Deterministic for a given seed and size. Uses pyosmium's writer; no network access.
"""

from __future__ import annotations

import argparse
import math
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import osmium

#: Centre of the generated area (between Aubagne, La Ciotat and Gardanne).
CENTRE_LAT, CENTRE_LON = 43.30, 5.55
M_PER_DEG_LAT = 111_320.0

SYLLABLES = ("mar", "ti", "gues", "la", "ca", "dia", "sei", "ne", "val", "bre", "sol", "ro",
             "quet", "vau", "cluse", "fon", "tai", "mont", "bel", "lieu", "gar", "dan", "au",
             "ba", "gne", "cas", "sis", "pey", "pin", "ro", "lles", "trets", "mi", "mas")
STREET_KINDS = ("Rue", "Rue", "Rue", "Avenue", "Boulevard", "Chemin", "Allée", "Impasse",
                "Traverse", "Place")
STREET_NAMES = ("des Lilas", "Jean Jaurès", "Victor Hugo", "de la République", "Pasteur",
                "des Écoles", "du Moulin", "de la Gare", "Gambetta", "des Oliviers",
                "des Pins", "Frédéric Mistral", "Jules Ferry", "du Stade", "de la Paix",
                "des Cigales", "Émile Zola", "de Verdun", "du Port", "des Vignes",
                "Paul Cézanne", "Marcel Pagnol", "des Tilleuls", "de l'Église", "du Marché",
                "Louis Pasteur", "Camille Pelletan", "Henri Barbusse", "des Platanes",
                "du Château", "de la Fontaine", "des Amandiers", "Saint-Jean", "Sainte-Anne",
                "des Micocouliers", "du Lavoir", "de Provence", "Anatole France",
                "Gabriel Péri", "des Capucins", "Jean Moulin", "de la Liberté", "Voltaire",
                "Alphonse Daudet", "des Romarins", "des Mimosas", "du Soleil", "des Roses")


@dataclass
class Builder:
    """Accumulates nodes and ways; ids are handed out in increasing order."""

    lat0: float = CENTRE_LAT
    nodes: list[tuple[float, float, dict]] = field(default_factory=list)  # (lat, lon, tags)
    ways: list[tuple[list[int], dict]] = field(default_factory=list)

    def node(self, x: float, y: float, tags: dict | None = None) -> int:
        """A node at ``(x, y)`` metres from the centre; returns its id."""
        lat = CENTRE_LAT + y / M_PER_DEG_LAT
        lon = CENTRE_LON + x / (M_PER_DEG_LAT * math.cos(math.radians(self.lat0)))
        self.nodes.append((lat, lon, tags or {}))
        return len(self.nodes)

    def way(self, refs: list[int], tags: dict) -> None:
        """A way through ``refs`` (at least two distinct nodes)."""
        if len(refs) >= 2:
            self.ways.append((refs, tags))

    def xy(self, node_id: int) -> tuple[float, float]:
        """Metres from the centre of a node."""
        lat, lon, _ = self.nodes[node_id - 1]
        return ((lon - CENTRE_LON) * M_PER_DEG_LAT * math.cos(math.radians(self.lat0)),
                (lat - CENTRE_LAT) * M_PER_DEG_LAT)

    def write(self, path: Path) -> None:
        """Write everything as an OSM PBF file (replaces ``path``)."""
        path.unlink(missing_ok=True)
        writer = osmium.SimpleWriter(str(path))
        try:
            for i, (lat, lon, tags) in enumerate(self.nodes, start=1):
                writer.add_node(osmium.osm.mutable.Node(id=i, location=(lon, lat), tags=tags,
                                                        version=1))
            for i, (refs, tags) in enumerate(self.ways, start=1):
                writer.add_way(osmium.osm.mutable.Way(id=i, nodes=refs, tags=tags, version=1))
        finally:
            writer.close()


@dataclass
class Town:
    name: str
    x: float
    y: float
    edge_nodes: list[int]  # intersections on the town's outline, for arterials
    addresses: list[str]  # "12 Rue des Lilas" (house number on a real node)
    intersections: int


def _town_name(rng: random.Random, taken: set[str]) -> str:
    while True:
        name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        if rng.random() < 0.2:
            name = f"{rng.choice(('Saint', 'Sainte', 'La', 'Le', 'Les'))}-{name}"
        if name not in taken:
            taken.add(name)
            return name


def _street_names(rng: random.Random, count: int) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        name = f"{rng.choice(STREET_KINDS)} {rng.choice(STREET_NAMES)}"
        if name in seen:
            name = f"{name} {len(names)}"  # big towns: "Rue des Lilas 12" stays unique
        seen.add(name)
        names.append(name)
    return names


def make_town(b: Builder, rng: random.Random, name: str, cx: float, cy: float, nx: int, ny: int
              ) -> Town:
    """An irregular grid of ``nx`` x ``ny`` intersections centred on ``(cx, cy)``."""
    spacing = rng.uniform(80, 130)
    angle = rng.uniform(-0.4, 0.4)
    cos_a, sin_a = math.cos(angle), math.sin(angle)
    grid: dict[tuple[int, int], int] = {}
    for i in range(nx):
        for j in range(ny):
            gx = (i - nx / 2) * spacing + rng.uniform(-0.2, 0.2) * spacing
            gy = (j - ny / 2) * spacing + rng.uniform(-0.2, 0.2) * spacing
            grid[i, j] = b.node(cx + gx * cos_a - gy * sin_a, cy + gx * sin_a + gy * cos_a)
    names = iter(_street_names(rng, nx + ny))
    addresses: list[str] = []
    centre = (nx // 2, ny // 2)

    def segment_nodes(a: int, c: int) -> list[int]:
        """Intermediate shape nodes of a block side (0 to 2, slightly off the straight line)."""
        (ax, ay), (bx, by) = b.xy(a), b.xy(c)
        k = rng.choice((0, 0, 1, 1, 2))
        out = []
        for s in range(1, k + 1):
            t = s / (k + 1)
            off = rng.uniform(-6, 6)
            out.append(b.node(ax + (bx - ax) * t - (by - ay) / spacing * off,
                              ay + (by - ay) * t + (bx - ax) / spacing * off))
        return out

    def street(line: list[tuple[int, int]], street_name: str, main: bool) -> None:
        """One named street along grid cells ``line``, split where a link is missing."""
        oneway = not main and rng.random() < 0.3
        reverse = rng.random() < 0.5
        near_centre = min(abs(i - centre[0]) + abs(j - centre[1]) for i, j in line) <= 1
        if main:
            tags = {"highway": "tertiary", "maxspeed": "50"}
        elif near_centre and rng.random() < 0.5:
            tags = {"highway": "pedestrian"}
            oneway = False
        else:
            tags = {"highway": rng.choice(("residential",) * 6 + ("living_street", "service"))}
            if rng.random() < 0.3:
                tags["maxspeed"] = "30"
        tags["name"] = street_name
        if oneway:
            tags["oneway"] = "yes"
        run: list[int] = [grid[line[0]]]
        for a, c in zip(line, line[1:], strict=False):
            na, nc = grid[a], grid[c]
            if not main and rng.random() < 0.07:  # a missing link: a footway, a cycleway or nothing
                b.way(run[::-1] if reverse else run, dict(tags))
                gap = rng.random()
                if gap < 0.35:
                    b.way([na, *segment_nodes(na, nc), nc], {"highway": "footway"})
                elif gap < 0.55:
                    b.way([na, nc], {"highway": "steps"})
                elif gap < 0.75:
                    b.way([na, nc], {"highway": "cycleway"})
                run = [nc]
                continue
            run.extend(segment_nodes(na, nc))
            run.append(nc)
            if rng.random() < 0.25:  # a house number on the intersection
                number = str(2 * len(addresses) % 180 + 1)
                lat, lon, node_tags = b.nodes[nc - 1]
                if not node_tags:
                    b.nodes[nc - 1] = (lat, lon, {"addr:housenumber": number,
                                                  "addr:street": street_name,
                                                  "addr:city": name})
                    addresses.append(f"{number} {street_name}")
        b.way(run[::-1] if reverse else run, dict(tags))

    for j in range(ny):
        street([(i, j) for i in range(nx)], next(names), main=(j == ny // 2))
    for i in range(nx):
        street([(i, j) for j in range(ny)], next(names), main=(i == nx // 2))
    # footpaths across some blocks (diagonals with a bench in the middle)
    for i in range(nx - 1):
        for j in range(ny - 1):
            if rng.random() < 0.06:
                a, c = grid[i, j], grid[i + 1, j + 1]
                (ax, ay), (bx, by) = b.xy(a), b.xy(c)
                mid = b.node((ax + bx) / 2 + rng.uniform(-8, 8), (ay + by) / 2)
                b.way([a, mid, c], {"highway": "footway"})
    b.node(cx, cy, {"place": "town", "name": name})
    outline = ([grid[i, 0] for i in range(nx)] + [grid[i, ny - 1] for i in range(nx)]
               + [grid[0, j] for j in range(ny)] + [grid[nx - 1, j] for j in range(ny)])
    return Town(name, cx, cy, outline, addresses, nx * ny)


def _nearest(b: Builder, nodes: list[int], x: float, y: float) -> int:
    return min(nodes, key=lambda n: (b.xy(n)[0] - x) ** 2 + (b.xy(n)[1] - y) ** 2)


def _polyline(b: Builder, rng: random.Random, a: int, c: int, step_m: float, wiggle_m: float
              ) -> list[int]:
    (ax, ay), (cx, cy) = b.xy(a), b.xy(c)
    length = math.hypot(cx - ax, cy - ay)
    k = max(0, int(length / step_m) - 1)
    refs = [a]
    for s in range(1, k + 1):
        t = s / (k + 1)
        off = math.sin(t * math.pi) * rng.uniform(-wiggle_m, wiggle_m)
        refs.append(b.node(ax + (cx - ax) * t - (cy - ay) / length * off,
                           ay + (cy - ay) * t + (cx - ax) / length * off))
    refs.append(c)
    return refs


def generate(walk_nodes: int, *, seed: int = 18) -> tuple[Builder, list[Town]]:
    """Towns, arterials and a motorway with about ``walk_nodes`` walking intersections."""
    rng = random.Random(seed)
    b = Builder()
    towns: list[Town] = []
    taken: set[str] = set()
    budget = walk_nodes
    # towns spread on a square whose side grows with the territory (~ 2.5 km per town)
    count_guess = max(3, round(walk_nodes / 1400))
    side = 2600.0 * math.sqrt(count_guess) + 4000.0
    placed: list[tuple[float, float, float]] = []
    while budget > 0:
        nx, ny = rng.randint(18, 48), rng.randint(18, 48)
        if nx * ny > budget * 1.1:
            nx = ny = max(4, int(math.sqrt(budget)))
        radius = max(nx, ny) * 110 / 2 + 400
        for _ in range(200):
            cx, cy = rng.uniform(-side / 2, side / 2), rng.uniform(-side / 2, side / 2)
            if all(math.hypot(cx - x, cy - y) > radius + r for x, y, r in placed):
                break
        else:
            side *= 1.1
            continue
        placed.append((cx, cy, radius))
        towns.append(make_town(b, rng, _town_name(rng, taken), cx, cy, nx, ny))
        budget -= int(nx * ny * 0.99)  # footpath midpoints and gap ends add a few nodes
    # arterials: each town to its two nearest neighbours
    links: set[tuple[int, int]] = set()
    for i, t in enumerate(towns):
        near = sorted(range(len(towns)), key=lambda j: math.hypot(towns[j].x - t.x,
                                                                   towns[j].y - t.y))[1:3]
        links.update((min(i, j), max(i, j)) for j in near)
    for i, j in sorted(links):
        ti, tj = towns[i], towns[j]
        a = _nearest(b, ti.edge_nodes, tj.x, tj.y)
        c = _nearest(b, tj.edge_nodes, ti.x, ti.y)
        kind = rng.choice(("secondary", "secondary", "primary"))
        tags = {"highway": kind, "name": f"Route de {tj.name}",
                "maxspeed": "80" if kind == "primary" else "70"}
        refs = _polyline(b, rng, a, c, 150.0, 300.0)
        if rng.random() < 0.3 and len(refs) > 6:  # a cycle track beside part of the road
            mid = len(refs) // 2
            b.way(refs[mid - 2: mid + 3], {"highway": "cycleway"})
        b.way(refs, tags)
    # a motorway across the area, west to east, with ramps near the towns it passes
    xs = sorted(towns, key=lambda t: t.x)
    west, east = xs[0], xs[-1]
    start = b.node(west.x - 3000, west.y)
    end = b.node(east.x + 3000, east.y)
    line = _polyline(b, rng, start, end, 300.0, 1500.0)
    other = []
    for n in line:  # the other carriageway, 25 m north
        x, y = b.xy(n)
        other.append(b.node(x, y + 25.0))
    b.way(line, {"highway": "motorway", "oneway": "yes", "ref": "A 50", "maxspeed": "110"})
    b.way(other[::-1], {"highway": "motorway", "oneway": "yes", "ref": "A 50",
                        "maxspeed": "110"})
    for t in towns:
        k = min(range(1, len(line) - 1), key=lambda i: math.hypot(b.xy(line[i])[0] - t.x,
                                                                   b.xy(line[i])[1] - t.y))
        x, y = b.xy(line[k])
        if math.hypot(x - t.x, y - t.y) > 4000:
            continue
        hub = b.node(x, y - 150.0)
        b.way([line[k - 1], hub], {"highway": "motorway_link", "oneway": "yes"})
        b.way([hub, line[k + 1]], {"highway": "motorway_link", "oneway": "yes"})
        b.way([other[k + 1], hub], {"highway": "motorway_link", "oneway": "yes"})
        b.way([hub, other[k - 1]], {"highway": "motorway_link", "oneway": "yes"})
        town_end = _nearest(b, t.edge_nodes, x, y)
        b.way(_polyline(b, rng, hub, town_end, 150.0, 100.0),
              {"highway": "secondary", "name": f"Avenue de l'échangeur {t.name}"})
    return b, towns


def write_territory(path: str | Path, walk_nodes: int, *, seed: int = 18) -> list[Town]:
    """Generate a territory of about ``walk_nodes`` walking nodes into ``path`` (PBF).

    Returns the towns (name, centre, sample addresses) for building commute trips.
    """
    b, towns = generate(walk_nodes, seed=seed)
    b.write(Path(path))
    return towns


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--walk-nodes", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    b, towns = generate(args.walk_nodes, seed=args.seed)
    b.write(args.out)
    print(f"{args.out}: {len(towns)} towns, {len(b.nodes)} OSM nodes, {len(b.ways)} ways, "
          f"{args.out.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
