"""Named, versioned SIPAS computation methods: every choice the methodology leaves open is a field here.

docs/methodology.md §6.3 and §6.4 mark the SIPAS formula a placeholder (Decision 1001/QĐ-BNV, 2023). The
published reading (SIPAS reports of the Ministry of Home Affairs since 2017, the 2017–2020 scheme 2640/QĐ-BNV
and 1001/QĐ-BNV): an element's index is the share of "satisfied" and "very satisfied" answers among the valid
answers to that element's items; the SIPAS index is the mean of the five service elements' indices. §6.4 notes
that a plain mean does not reproduce every published total, so the aggregation is a field and a second
method ("sipas-2023-pooled") pools all items instead. A new reading gets a new name; results name the method.
"""

from dataclasses import dataclass

ELEMENTS = ("access", "procedure", "staff", "result", "feedback")


@dataclass(frozen=True)
class SipasMethod:
    name: str
    description: str
    satisfied_values: tuple[int, ...]  # scale values counted as satisfied (4 "Hài lòng", 5 "Rất hài lòng")
    valid_values: tuple[int, ...]  # values that are an opinion (the denominator)
    missing_values: tuple[int, ...]  # answered but no opinion ("don't know" = 0): left out of every index
    index_elements: tuple[str, ...]  # elements averaged into the SIPAS index ("overall" is reported apart)
    sipas_aggregation: str  # "mean_of_elements" | "pooled_items"
    interval: str = "korn-graubard"  # the only interval implemented (analysis.statistics)
    confidence_level: float = 0.95
    min_respondents: int = 5  # cells with fewer respondents are suppressed (docs/decisions.md D31)
    raking_tolerance: float = 1e-10  # relative gap between weighted and population margins
    raking_max_iterations: int = 100

    def __post_init__(self) -> None:
        if self.sipas_aggregation not in ("mean_of_elements", "pooled_items"):
            raise ValueError(f"unknown SIPAS aggregation {self.sipas_aggregation!r}")
        if self.interval != "korn-graubard":
            raise ValueError(f"unknown interval method {self.interval!r}")
        if set(self.satisfied_values) - set(self.valid_values):
            raise ValueError("satisfied values must be valid values")
        if set(self.valid_values) & set(self.missing_values):
            raise ValueError("a value cannot be both valid and missing")


METHODS: dict[str, SipasMethod] = {
    method.name: method
    for method in (
        SipasMethod(
            name="sipas-2023",
            description=(
                "1001/QĐ-BNV reading: element index = satisfied (4, 5) share of the valid answers (1–5) "
                "to the element's items; SIPAS = mean of the five element indices; 0 = don't know, left out."
            ),
            satisfied_values=(4, 5),
            valid_values=(1, 2, 3, 4, 5),
            missing_values=(0,),
            index_elements=ELEMENTS,
            sipas_aggregation="mean_of_elements",
        ),
        SipasMethod(
            name="sipas-2023-pooled",
            description=(
                "As sipas-2023, but SIPAS = satisfied share of all valid answers to the five elements' items "
                "(pooled), for comparison with published totals (methodology.md §7)."
            ),
            satisfied_values=(4, 5),
            valid_values=(1, 2, 3, 4, 5),
            missing_values=(0,),
            index_elements=ELEMENTS,
            sipas_aggregation="pooled_items",
        ),
    )
}
DEFAULT_METHOD = "sipas-2023"


def get_method(name: str) -> SipasMethod:
    try:
        return METHODS[name]
    except KeyError:
        raise ValueError(f"unknown SIPAS method {name!r}; known: {', '.join(sorted(METHODS))}") from None
