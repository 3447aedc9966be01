"""The one pass over the answers behind every SIPAS estimate: per (stratum, category) block, the sums of the
satisfied / valid indicators and of their squares and products that the ratio variances need
(analysis.statistics.ratio_variance). Rows are sorted by block, answers become 0/1 columns of one
column-major matrix, and one small matrix product per block (or per PSU cell in a clustered design) gives
all sums; no loop over respondents.
"""

from dataclasses import dataclass, fields

import numpy as np

from .methods import SipasMethod


@dataclass(frozen=True)
class Layout:
    """Item columns grouped by element: element e owns columns starts[e]:starts[e+1] of the answer matrix."""

    items: list[str]
    item_elements: list[str]
    elements: list[str]
    starts: np.ndarray
    index_positions: np.ndarray  # positions in `elements` of the elements entering the SIPAS index
    parts: tuple[str, ...] = ()  # the method's parts (policy, service)
    part_positions: tuple[np.ndarray, ...] = ()  # positions in `elements` of each part's elements


_LAYOUT = ("n_h", "whole")  # FamilyStats' fields that are not sums


def _indicators(block: np.ndarray, lut: np.ndarray, *, out: np.ndarray) -> None:
    """out = lut[block] for a block of answer codes (rows × items, both column-major) in one call, through
    their transposes, whose rows are contiguous; two comparisons when the values form one range (2× faster
    than the lookup)."""
    values = np.flatnonzero(lut)
    codes, target = block.T, out.T
    if len(values) and values[-1] - values[0] + 1 == len(values):
        np.copyto(target, (codes >= values[0]) & (codes <= values[-1]))
    else:
        np.take(lut, codes, out=target)


def lookup_tables(method: SipasMethod) -> tuple[np.ndarray, np.ndarray]:
    satisfied = np.zeros(128)
    satisfied[list(method.satisfied_values)] = 1.0
    valid = np.zeros(128)
    valid[list(method.valid_values)] = 1.0
    return satisfied, valid


@dataclass
class FamilyStats:
    """Per (stratum, category) sums of the PSU totals and of their squares and products.

    Shapes: items (H, G, q); elements' first moments (H, G, 2K) ordered [satisfied_e..., valid_e...] and
    second moments (H, G, 2K, 2K); respondent counts (H, G, K + P + 1): per element, per part, and the last
    column for the SIPAS index.
    """

    y1: np.ndarray
    x1: np.ndarray
    yy: np.ndarray
    xy: np.ndarray
    xx: np.ndarray
    item_n: np.ndarray
    e1: np.ndarray
    eg: np.ndarray
    element_answers: np.ndarray
    counts: np.ndarray
    weighted_counts: np.ndarray
    # Sparse layout (D430): the first axis is then not the stratum but a slot; slot l of category g holds
    # the l-th stratum where g has respondents, and n_h[l, g] its PSUs (1 for an unused slot: no term).
    # None: the first axis is the stratum (H, G, ...) and the design's PSUs per stratum apply.
    n_h: np.ndarray | None = None
    whole: "FamilyStats | None" = None  # the whole sample's stats per stratum, for the sparse layout

    def collapsed(self) -> "FamilyStats":
        if self.whole is not None:
            return self.whole
        return FamilyStats(
            **{
                f.name: getattr(self, f.name).sum(axis=1, keepdims=True)
                for f in fields(self)
                if f.name not in _LAYOUT
            }
        )


def family_stats(
    codes: np.ndarray,
    weights: np.ndarray,
    strata: np.ndarray,
    n_strata: int,
    groups: np.ndarray,
    n_groups: int,
    psus: np.ndarray | None,
    layout: Layout,
    luts: tuple[np.ndarray, np.ndarray],
    psus_per_stratum: np.ndarray | None = None,
) -> tuple[FamilyStats, "Cells | None"]:
    """(FamilyStats of one breakdown, its PSU cells or None when each respondent is its own PSU)."""
    satisfied_lut, valid_lut = luts
    n, q = codes.shape
    n_elements = len(layout.elements)
    key = strata.astype(np.int64) * n_groups + groups
    size = n_strata * n_groups
    if psus is None:
        # Only the (stratum, category) blocks that hold respondents are numbered: 189 strata by themselves
        # give 189 blocks, not a 189 x 189 grid, and the key stays narrow enough to sort by radix (D429).
        per_key = np.bincount(key, minlength=size)
        block_keys = np.flatnonzero(per_key)
        rank = np.cumsum(per_key > 0) - 1
        key = rank[key]
        n_keys = len(block_keys)
    else:
        n_keys = size
    # A narrow key sorts by radix: ~10x faster than a comparison sort on 10^6 rows.
    key = key.astype(np.int16 if n_keys < 2**15 else np.int64)
    order = np.argsort(key, kind="stable") if psus is None else np.lexsort((psus, key))
    sorted_key = key[order]
    w = weights[order]
    # The answers in block order, one gather per column over all rows: the fills below then read them in
    # sequence, where a gather per column and chunk read them at random after the working matrix had
    # evicted them from the cache (a third of the time at 10^6 rows, 189 strata).
    sorted_codes = np.empty((n, q), dtype=codes.dtype, order="F")
    for j in range(q):
        np.take(codes[:, j], order, out=sorted_codes[:, j])
    n_parts = len(layout.part_positions)
    n_columns = 2 * q + 3 * n_elements + n_parts + 1
    column_starts = np.concatenate([layout.starts, layout.starts + q])
    column_ends = np.r_[column_starts[1:], 2 * q]

    def fill(rows: slice, data: np.ndarray) -> None:
        """data = [satisfied items | valid items | satisfied_e, valid_e per element | answered flags per
        element, per part and for the index] of the sorted rows `rows`, column-major, so every step reads
        contiguous columns and one matrix product per block gives all first moments and counts."""
        chunk = sorted_codes[rows]
        _indicators(chunk, satisfied_lut, out=data[:, :q])
        _indicators(chunk, valid_lut, out=data[:, q : 2 * q])
        indicators = data[:, : 2 * q]
        per_element = data[:, 2 * q : 2 * q + 2 * n_elements]
        flags = data[:, 2 * q + 2 * n_elements :]
        for e, (start, end) in enumerate(zip(column_starts, column_ends, strict=True)):
            np.sum(indicators[:, start:end], axis=1, out=per_element[:, e])
        np.greater(per_element[:, n_elements:], 0, out=flags[:, :n_elements])
        for p, positions in enumerate(layout.part_positions):
            answered = per_element[:, n_elements + positions].sum(axis=1)
            np.greater(answered, 0, out=flags[:, n_elements + p])
        np.greater(per_element[:, n_elements + layout.index_positions].sum(axis=1), 0, out=flags[:, -1])

    if psus is not None:
        # Clustered: a cell is a PSU's part in one (stratum, category); per cell, the weights 1 and w
        # against every column give its unweighted counts and weighted totals.
        data = np.empty((n, n_columns), order="F")
        fill(slice(0, n), data)
        cell = np.flatnonzero(np.r_[True, (np.diff(sorted_key) != 0) | (np.diff(psus[order]) != 0)])
        cell_sums = np.empty((len(cell), 2, n_columns))
        powers = np.column_stack([np.ones(n), w])
        for c, (start, end) in enumerate(zip(cell, np.r_[cell[1:], n], strict=True)):
            cell_sums[c] = powers[start:end].T @ data[start:end]
        cells = Cells(key=sorted_key[cell].astype(np.int64), psu=psus[order][cell], sums=cell_sums)
        return stats_from_cells(cells, n_strata, n_groups, layout), cells

    # Each respondent its own PSU: a PSU total is w·y, so the square is w²·y² and, for 0/1 items,
    # y² = y·x = y and x² = x: the weights 1, w, w² against the indicators give every item moment.
    # The working matrix is filled a run of whole blocks at a time (D429): a few MB that stay in cache,
    # not 1M x 59 doubles allocated and written per call.
    starts = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])
    ends = np.r_[starts[1:], n]
    sums = np.empty((n_keys, 3, n_columns))  # rows: weights 1, w, w²
    eg = np.empty((n_keys, 2 * n_elements, 2 * n_elements))
    buffer = np.empty(max(_CHUNK_ROWS, int((ends - starts).max())) * n_columns)
    b = 0
    while b < n_keys:
        last = b
        while last + 1 < n_keys and ends[last + 1] - starts[b] <= _CHUNK_ROWS:
            last += 1
        r0, r1 = int(starts[b]), int(ends[last])
        data = buffer[: (r1 - r0) * n_columns].reshape((r1 - r0, n_columns), order="F")
        fill(slice(r0, r1), data)
        per_element = data[:, 2 * q : 2 * q + 2 * n_elements]
        chunk_w = w[r0:r1]
        powers = np.column_stack([np.ones(r1 - r0), chunk_w, chunk_w**2])
        squared_weighted = per_element * (chunk_w**2)[:, None]
        for k in range(b, last + 1):
            block = slice(int(starts[k]) - r0, int(ends[k]) - r0)
            sums[k] = powers[block].T @ data[block]
            eg[k] = squared_weighted[block].T @ per_element[block]
        b = last + 1
    flag_columns = slice(2 * q + 2 * n_elements, None)

    def assembled(rows: np.ndarray | slice, block_sums: np.ndarray, block_eg: np.ndarray) -> FamilyStats:
        picked = block_sums[rows]
        return _assemble(
            layout,
            len(picked),
            1,
            first=picked[:, 1, : 2 * q],
            second=(picked[:, 2, :q], picked[:, 2, :q], picked[:, 2, q : 2 * q]),
            item_n=picked[:, 0, q : 2 * q],
            eg=block_eg[rows],
            counts=picked[:, 0, flag_columns],
            weighted_counts=picked[:, 1, flag_columns],
        )

    per_block = assembled(slice(None), sums, eg)
    block_strata, block_groups = np.divmod(block_keys, n_groups)
    # Slot of each block in its category: the rank of its stratum among the category's (blocks come in
    # (stratum, category) order, so a stable sort by category keeps the strata in order).
    by_group = np.argsort(block_groups, kind="stable")
    group_starts = np.searchsorted(block_groups[by_group], block_groups[by_group])
    slot = np.empty(n_keys, dtype=np.int64)
    slot[by_group] = np.arange(n_keys) - group_starts
    n_slots = int(slot.max()) + 1
    n_h = np.ones((n_slots, n_groups))
    if psus_per_stratum is None:  # each respondent its own PSU
        psus_per_stratum = np.bincount(strata, minlength=n_strata)
    n_h[slot, block_groups] = psus_per_stratum[block_strata]

    def spread(values: np.ndarray) -> np.ndarray:
        out = np.zeros((n_slots, n_groups, *values.shape[2:]))
        out[slot, block_groups] = values[:, 0]
        return out

    # The whole sample per stratum: the blocks of a stratum are consecutive; sums add over categories.
    stratum_starts = np.flatnonzero(np.r_[True, block_strata[1:] != block_strata[:-1]])
    whole_sums = np.zeros((n_strata, 3, n_columns))
    whole_eg = np.zeros((n_strata, 2 * n_elements, 2 * n_elements))
    whole_sums[block_strata[stratum_starts]] = np.add.reduceat(sums, stratum_starts, axis=0)
    whole_eg[block_strata[stratum_starts]] = np.add.reduceat(eg, stratum_starts, axis=0)
    whole = assembled(slice(None), whole_sums, whole_eg)
    stats = FamilyStats(
        **{f.name: spread(getattr(per_block, f.name)) for f in fields(per_block) if f.name not in _LAYOUT},
        n_h=n_h,
        whole=whole,
    )
    return stats, None


_CHUNK_ROWS = 16_384  # rows of the working matrix filled at a time (or one block): 16,384 x 59 doubles


@dataclass
class Cells:
    """Clustered designs: per (stratum·category key, PSU) cell, sorted by key, the sums of every data column
    with weights 1 (sums[:, 0]) and w (sums[:, 1])."""

    key: np.ndarray
    psu: np.ndarray
    sums: np.ndarray

    def merged_over_categories(self, n_groups: int) -> "Cells":
        """The cells of the whole sample: one per PSU (a PSU lies in one stratum), key = its stratum."""
        order = np.lexsort((self.psu, self.key // n_groups))
        psu = self.psu[order]
        starts = np.flatnonzero(np.r_[True, psu[1:] != psu[:-1]])
        return Cells(
            key=(self.key // n_groups)[order][starts],
            psu=psu[starts],
            sums=np.add.reduceat(self.sums[order], starts, axis=0),
        )


def stats_from_cells(cells: Cells, n_strata: int, n_groups: int, layout: Layout) -> FamilyStats:
    q, n_elements = len(layout.items), len(layout.elements)
    totals = cells.sums[:, 1]
    a, b = totals[:, :q], totals[:, q : 2 * q]
    elements = np.ascontiguousarray(totals[:, 2 * q : 2 * q + 2 * n_elements])
    starts = np.flatnonzero(np.r_[True, cells.key[1:] != cells.key[:-1]])
    keys = cells.key[starts]
    size = n_strata * n_groups

    def per_key(values: np.ndarray) -> np.ndarray:
        out = np.zeros((size, *values.shape[1:]))
        out[keys] = np.add.reduceat(values, starts, axis=0)
        return out

    eg = np.zeros((size, 2 * n_elements, 2 * n_elements))
    for k, start, end in zip(keys, starts, np.r_[starts[1:], len(cells.key)], strict=True):
        eg[k] = elements[start:end].T @ elements[start:end]
    flag_columns = slice(2 * q + 2 * n_elements, None)
    return _assemble(
        layout,
        n_strata,
        n_groups,
        first=per_key(totals[:, : 2 * q]),
        second=(per_key(a * a), per_key(a * b), per_key(b * b)),
        item_n=per_key(cells.sums[:, 0, q : 2 * q]),
        eg=eg,
        counts=per_key(cells.sums[:, 0, flag_columns]),
        weighted_counts=per_key(totals[:, flag_columns]),
    )


def _assemble(
    layout: Layout,
    n_strata: int,
    n_groups: int,
    *,
    first: np.ndarray,
    second: tuple[np.ndarray, np.ndarray, np.ndarray],
    item_n: np.ndarray,
    eg: np.ndarray,
    counts: np.ndarray,
    weighted_counts: np.ndarray,
) -> FamilyStats:
    q = len(layout.items)
    column_starts = np.concatenate([layout.starts, layout.starts + q])

    def shaped(array: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(array).reshape((n_strata, n_groups, *array.shape[1:]))

    return FamilyStats(
        y1=shaped(first[:, :q]),
        x1=shaped(first[:, q:]),
        yy=shaped(second[0]),
        xy=shaped(second[1]),
        xx=shaped(second[2]),
        item_n=shaped(item_n),
        e1=shaped(np.add.reduceat(first, column_starts, axis=1)),
        eg=shaped(eg),
        element_answers=shaped(np.add.reduceat(item_n, layout.starts, axis=1)),
        counts=shaped(counts),
        weighted_counts=shaped(weighted_counts),
    )
