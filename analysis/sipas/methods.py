"""Named, versioned SIPAS computation methods: every choice the methodology leaves open is a field here.

docs/methodology.md §6.2–§6.4 (SIPAS under 1001/QĐ-BNV): satisfaction has a policy part (9 policy
groups) and a service-delivery part (5 elements); an element's (or policy group's) index is the share of
"satisfied" and "very satisfied" answers among the valid answers to its items. How the parts and the
overall index are aggregated is not public (the published 2024 national figures, policy 83.84, service
84.09, overall 83.94, are not the plain mean of the parts), so the aggregation is a field and three 1001
methods stand side by side: `sipas-1001-parts`, `sipas-1001-pooled`, `sipas-1001-weighted`. The
`sipas-2023*` methods read the first version of our questionnaire (service delivery only). A new reading
gets a new name; results name it.
"""

from dataclasses import dataclass, replace

# A question feeding SIPAS says `feeds: sipas.<element>` (docs/decisions.md D157).
FEEDS_PREFIX = "sipas."
SERVICE_ELEMENTS = ("access", "procedure", "staff", "result", "feedback")
ELEMENTS = SERVICE_ELEMENTS  # the five service elements (the sipas-2023 methods' index)
POLICY_GROUPS = (
    "economy",
    "health",
    "education",
    "water",
    "electricity",
    "security",
    "roads",
    "social_security",
    "admin_reform",
)
POLICY, SERVICE = "policy", "service"
PARTS = (POLICY, SERVICE)
AGGREGATIONS = ("mean_of_elements", "pooled_items", "mean_of_parts", "weighted_parts")


def part_of(element: str) -> str | None:
    """The part an element code belongs to: `policy.<group>` → policy, `service.<element>` or a bare
    service element of the first questionnaire (`access`) → service; anything else (overall) → None."""
    head, _, tail = element.partition(".")
    if tail and head in PARTS:
        return head
    return SERVICE if element in SERVICE_ELEMENTS else None


def same_element(wanted: str, given: str) -> bool:
    """A method's element code matches a questionnaire's when equal or when one is the other's bare service
    name (`service.access` and `access`), so the 2023 methods read the new questionnaire and back."""
    return wanted == given or {wanted, given} in ({e, f"{SERVICE}.{e}"} for e in SERVICE_ELEMENTS)


@dataclass(frozen=True)
class SipasMethod:
    name: str
    description: str
    satisfied_values: tuple[int, ...]  # scale values counted as satisfied (4 "Hài lòng", 5 "Rất hài lòng")
    valid_values: tuple[int, ...]  # values that are an opinion (the denominator)
    missing_values: tuple[int, ...]  # answered but no opinion ("don't know" = 0): left out of every index
    index_elements: tuple[str, ...]  # elements entering the SIPAS index ("overall" is reported apart)
    # mean_of_elements: SIPAS = mean of the index elements; pooled_items: satisfied share of every valid
    # answer to the index elements' items; mean_of_parts: mean of the parts, a part = mean of its elements;
    # weighted_parts: policy_weight · policy + (1 − policy_weight) · service.
    sipas_aggregation: str
    policy_weight: float | None = None  # w of weighted_parts (docs/decisions.md D203)
    interval: str = "korn-graubard"  # the only interval implemented (analysis.statistics)
    confidence_level: float = 0.95
    min_respondents: int = 5  # cells with fewer respondents are suppressed (docs/decisions.md D31)
    raking_tolerance: float = 1e-10  # relative gap between weighted and population margins
    raking_max_iterations: int = 100

    def __post_init__(self) -> None:
        if self.sipas_aggregation not in AGGREGATIONS:
            raise ValueError(f"unknown SIPAS aggregation {self.sipas_aggregation!r}")
        if self.interval != "korn-graubard":
            raise ValueError(f"unknown interval method {self.interval!r}")
        if set(self.satisfied_values) - set(self.valid_values):
            raise ValueError("satisfied values must be valid values")
        if set(self.valid_values) & set(self.missing_values):
            raise ValueError("a value cannot be both valid and missing")
        if self.sipas_aggregation == "weighted_parts" and not (
            self.policy_weight is not None and 0 <= self.policy_weight <= 1
        ):
            raise ValueError("weighted_parts needs a policy_weight between 0 and 1")

    @property
    def parts(self) -> tuple[str, ...]:
        """The parts the index elements fall into, in the order policy, service."""
        found = {part_of(e) for e in self.index_elements}
        return tuple(p for p in PARTS if p in found)

    def part_weights(self) -> dict[str, float]:
        """How the overall index combines the parts (mean_of_parts and weighted_parts only)."""
        if self.sipas_aggregation == "weighted_parts" and self.policy_weight is not None:
            return {POLICY: self.policy_weight, SERVICE: 1 - self.policy_weight}
        return dict.fromkeys(self.parts, 1.0)

    def with_parameters(self, *, policy_weight: float | None = None) -> "SipasMethod":
        """The method with a campaign's own parameter (the w of sipas-1001-weighted); others unchanged."""
        if policy_weight is None or self.sipas_aggregation != "weighted_parts":
            return self
        return replace(self, policy_weight=float(policy_weight))


SATISFIED, VALID, MISSING = (4, 5), (1, 2, 3, 4, 5), (0,)
INDEX_1001 = tuple(f"{POLICY}.{g}" for g in POLICY_GROUPS) + tuple(f"{SERVICE}.{e}" for e in SERVICE_ELEMENTS)
# docs/decisions.md D203: w = 0.6 is the weight that reproduces the published 2024 national SIPAS (83.94)
# from its published parts (policy 83.84, service 84.09); 2023's figures give about 0.65. Two published
# numbers are an inference, not the Ministry's formula: the default only shows what such a weighting gives
# beside sipas-1001-parts (w = 0.5 would repeat it). A province replaces it by confirming its own w.
DEFAULT_POLICY_WEIGHT = 0.6

METHODS: dict[str, SipasMethod] = {
    method.name: method
    for method in (
        SipasMethod(
            name="sipas-2023",
            description=(
                "First questionnaire (service delivery only): element index = satisfied (4, 5) share of the "
                "valid answers (1–5) to the element's items; SIPAS = mean of the five element indices; "
                "0 = don't know, left out."
            ),
            index_elements=ELEMENTS,
            sipas_aggregation="mean_of_elements",
            satisfied_values=SATISFIED,
            valid_values=VALID,
            missing_values=MISSING,
        ),
        SipasMethod(
            name="sipas-2023-pooled",
            description=(
                "As sipas-2023, but SIPAS = satisfied share of all valid answers to the five elements' items "
                "(pooled), for comparison with published totals."
            ),
            index_elements=ELEMENTS,
            sipas_aggregation="pooled_items",
            satisfied_values=SATISFIED,
            valid_values=VALID,
            missing_values=MISSING,
        ),
        SipasMethod(
            name="sipas-1001-parts",
            description=(
                "1001/QĐ-BNV: a policy group's or service element's index = satisfied (4, 5) share of the "
                "valid answers (1–5) to its items; policy part = mean of the 9 groups, service part = mean "
                "of the 5 elements; SIPAS = mean of the two parts."
            ),
            index_elements=INDEX_1001,
            sipas_aggregation="mean_of_parts",
            satisfied_values=SATISFIED,
            valid_values=VALID,
            missing_values=MISSING,
        ),
        SipasMethod(
            name="sipas-1001-pooled",
            description=(
                "As sipas-1001-parts for groups, elements and parts; SIPAS = satisfied share of all valid "
                "answers to the policy and service items (pooled)."
            ),
            index_elements=INDEX_1001,
            sipas_aggregation="pooled_items",
            satisfied_values=SATISFIED,
            valid_values=VALID,
            missing_values=MISSING,
        ),
        SipasMethod(
            name="sipas-1001-weighted",
            description=(
                "As sipas-1001-parts for groups, elements and parts; SIPAS = w · policy + (1 − w) · service, "
                "w a parameter of the campaign (default 0.6, inferred from the 2024 national figures, not "
                "official)."
            ),
            index_elements=INDEX_1001,
            sipas_aggregation="weighted_parts",
            policy_weight=DEFAULT_POLICY_WEIGHT,
            satisfied_values=SATISFIED,
            valid_values=VALID,
            missing_values=MISSING,
        ),
    )
}
DEFAULT_METHOD = "sipas-1001-parts"
LEGACY_METHOD = "sipas-2023"  # for questionnaires without a policy part (the first version)


def get_method(name: str) -> SipasMethod:
    try:
        return METHODS[name]
    except KeyError:
        raise ValueError(f"unknown SIPAS method {name!r}; known: {', '.join(sorted(METHODS))}") from None


def comparable_methods(method: SipasMethod) -> list[SipasMethod]:
    """The other methods that read the same elements: shown beside a result for comparison."""
    return [
        m
        for m in METHODS.values()
        if m.name != method.name and set(m.index_elements) == set(method.index_elements)
    ]


def default_method_for(elements: dict[str, list[str]]) -> str:
    """The default method for a questionnaire's elements: 1001 when it has a policy part, else sipas-2023."""
    return DEFAULT_METHOD if any(part_of(e) == POLICY for e in elements) else LEGACY_METHOD
