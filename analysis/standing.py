"""Where a province stands among all provinces (pure; docs/decisions.md D160; docs/methodology.md §1.6, §8.2).

Inputs are the Ministry's published tables (one per year: every province's PAR INDEX, eight component
indices in percent of their maxima, SIPAS, rank) and the province's own figures. The reference table is the
campaign's year when it is loaded (then the province's published row is the official figure), else the
latest earlier year (then the province's index computed here is placed among the others' published figures,
and the page says so). A province formed by a merger (1 July 2025) compares with the population-weighted
combination of its predecessors in tables of earlier years, and says so. Groups: A ≥ 90 (methodology §7).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from kit.text import match_key

GROUP_A = Decimal(90)
TWO = Decimal("0.01")


def province_key(name: str) -> str:
    """ "Tỉnh Lào Cai", "LAO CAI", "Lào Cai " → "lao cai" (without the tỉnh / thành phố prefix)."""
    key = match_key(name)
    for prefix in ("thanh pho ", "tp ", "tinh "):
        if key.startswith(prefix):
            key = key[len(prefix) :]
    return key


@dataclass
class NationalRow:
    province: str
    index: Decimal
    components: dict[str, Decimal] = field(default_factory=dict)  # domain code → percent
    sipas: Decimal | None = None
    rank: int | None = None
    population: int | None = None

    @property
    def key(self) -> str:
        return province_key(self.province)


@dataclass
class NationalTable:
    year: int
    source: str
    illustrative: bool
    rows: list[NationalRow]

    def row(self, key: str) -> NationalRow | None:
        return next((r for r in self.rows if r.key == key), None)

    def mean(self) -> Decimal:
        return _mean([r.index for r in self.rows])

    def component_means(self) -> dict[str, Decimal]:
        codes = sorted({c for r in self.rows for c in r.components}, key=_code_order)
        return {c: _mean([r.components[c] for r in self.rows if c in r.components]) for c in codes}


@dataclass
class Gap:
    code: str
    own: Decimal
    mean: Decimal

    @property
    def gap(self) -> Decimal:
        return self.own - self.mean


@dataclass
class Standing:
    table_year: int
    source: str
    illustrative: bool
    official: bool  # the province's own published row of the campaign's year
    figure: Decimal  # the index placed (published, or computed here)
    rank: int
    provinces: int
    mean: Decimal
    leader: str
    leader_index: Decimal
    gaps: list[Gap]  # per component, largest loss against the national mean first
    previous_year: int | None = None
    previous: Decimal | None = None
    previous_source: str = ""
    previous_combined: list[str] = field(default_factory=list)  # predecessors combined for `previous`
    combined_weights: str = ""  # "population" | "equal" (no population figures)
    merged_note: str = ""
    computed: Decimal | None = None  # the index computed here, when the figure is the published one

    @property
    def to_group_a(self) -> Decimal:
        return max(Decimal(0), GROUP_A - self.figure)

    @property
    def in_group_a(self) -> bool:
        return self.figure >= GROUP_A

    @property
    def to_leader(self) -> Decimal:
        return max(Decimal(0), self.leader_index - self.figure)

    @property
    def change(self) -> Decimal | None:
        return None if self.previous is None else self.figure - self.previous

    @property
    def losses(self) -> list[Gap]:
        return [g for g in self.gaps if g.gap < 0]


def reference_table(tables: Sequence[NationalTable], year: int) -> NationalTable | None:
    """The table of `year`, else the latest earlier one; None when no table is loaded for it."""
    candidates = [t for t in tables if t.year <= year]
    return max(candidates, key=lambda t: t.year) if candidates else None


def combined(
    rows: Sequence[NationalRow], populations: Mapping[str, int] | None = None
) -> tuple[NationalRow, str]:
    """The population-weighted combination of predecessors' rows (index, components, SIPAS); weights from
    the rows' population, else `populations` by key, else equal weights (said in the second value)."""
    weights = [r.population or (populations or {}).get(r.key) for r in rows]
    kind = "population"
    if any(w is None or w <= 0 for w in weights):
        weights, kind = [1] * len(rows), "equal"
    total = Decimal(sum(weights))

    def mix(values: list[Decimal | None]) -> Decimal | None:
        pairs = [(Decimal(w), v) for w, v in zip(weights, values, strict=True) if v is not None]
        if len(pairs) != len(values):
            return None
        return _q(sum((w * v for w, v in pairs), Decimal(0)) / total)

    codes = {c for r in rows for c in r.components}
    row = NationalRow(
        province=" + ".join(r.province for r in rows),
        index=mix([r.index for r in rows]),
        components={c: mix([r.components.get(c) for r in rows]) for c in codes},
        sipas=mix([r.sipas for r in rows]),
    )
    row.components = {c: v for c, v in row.components.items() if v is not None}
    return row, kind


def standing(
    *,
    tables: Sequence[NationalTable],
    campaign_year: int,
    name: str,
    computed: Decimal | None,
    components: Mapping[str, Decimal],
    predecessors: Sequence[str] = (),
    merged_from_year: int | None = None,
    populations: Mapping[str, int] | None = None,
) -> Standing | None:
    """The province's standing, or None without a table for the year (or without any figure to place)."""
    table = reference_table(tables, campaign_year)
    if table is None:
        return None
    own_key = province_key(name)
    merged = bool(predecessors) and merged_from_year is not None and campaign_year >= merged_from_year
    before_merger = merged and table.year < merged_from_year
    own_keys = {own_key} | ({province_key(p) for p in predecessors} if before_merger else set())
    own_row = table.row(own_key) if table.year == campaign_year else None
    if own_row is not None:
        figure, own_components, official = own_row.index, own_row.components, True
    elif computed is not None:
        figure, own_components, official = computed, dict(components), False
    else:
        return None
    others = [r for r in table.rows if r.key not in own_keys]
    placed = 1 + sum(1 for r in others if r.index > figure)
    rank = own_row.rank if official and own_row.rank else placed
    leader = max(others + ([own_row] if own_row else []), key=lambda r: r.index, default=None)
    means = table.component_means()
    gaps = [Gap(code, _q(own_components[code]), means[code]) for code in means if code in own_components]
    gaps.sort(key=lambda g: (g.gap, _code_order(g.code)))
    result = Standing(
        table_year=table.year,
        source=table.source,
        illustrative=table.illustrative,
        official=official,
        figure=_q(figure),
        rank=rank,
        provinces=len(others) + 1,
        mean=table.mean(),
        leader=leader.province if leader else name,
        leader_index=leader.index if leader else figure,
        gaps=gaps,
        computed=_q(computed) if computed is not None and official else None,
    )
    if before_merger:
        result.merged_note = "merged"
    _previous(result, tables, table, own_key, predecessors, merged_from_year if merged else None, populations)
    return result


def _previous(result, tables, table, own_key, predecessors, merged_from_year, populations) -> None:
    """Last year's figure of the province: the published row of the latest table before the reference
    year (or the reference table itself when the figure placed is this year's computed index and that
    table is of an earlier year), combined from the predecessors before the merger."""
    if result.official:
        earlier = [t for t in tables if t.year < table.year]
    else:
        earlier = [t for t in tables if t.year <= table.year]
    if not earlier:
        return
    previous = max(earlier, key=lambda t: t.year)
    if merged_from_year is not None and previous.year < merged_from_year:
        rows = [r for r in (previous.row(province_key(p)) for p in predecessors) if r is not None]
        if not rows:
            return
        row, kind = combined(rows, populations)
        result.previous_combined = [r.province for r in rows]
        result.combined_weights = kind
    else:
        row = previous.row(own_key)
        if row is None:
            return
    result.previous_year, result.previous, result.previous_source = previous.year, row.index, previous.source


def _mean(values: list[Decimal]) -> Decimal:
    return _q(sum(values, Decimal(0)) / len(values)) if values else Decimal(0)


def _q(value: Decimal) -> Decimal:
    return Decimal(value).quantize(TWO, rounding=ROUND_HALF_UP)


def _code_order(code: str) -> tuple:
    return tuple(int(p) if p.isdigit() else 0 for p in str(code).split("."))
