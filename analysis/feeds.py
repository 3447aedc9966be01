"""`feeds:` codes of questionnaires checked against the criteria tree and the SIPAS elements
(docs/decisions.md D157). A misspelt code used to be silently ignored; now:

- loading a questionnaire: every `feeds:` is either sipas.<element> with a known element, or a code of the
  campaign's criteria tree (when the campaign has one); anything else is an error naming the path;
- loading a tree: the current questionnaires of the campaigns scored against it whose `feeds:` no longer
  name one of its codes are listed as warnings (the questionnaire must then be corrected and reloaded).
"""

from respondents.models import Campaign
from scoring.models import CriteriaTree
from scoring.selectors import campaign_tree
from surveys.models import Questionnaire

from .sipas.methods import ELEMENTS, FEEDS_PREFIX, POLICY, POLICY_GROUPS, SERVICE

# The first questionnaire's elements, the 1001 policy groups and service elements, the overall question,
# and the perception and needs questions (docs/decisions.md D200).
SIPAS_KEYS = (
    *ELEMENTS,
    *(f"{POLICY}.{group}" for group in POLICY_GROUPS),
    *(f"{SERVICE}.{element}" for element in ELEMENTS),
    "overall",
    "perception",
    "need",
)
KNOWN = ", ".join((*ELEMENTS, "overall", "perception", "need", "policy.<group>", "service.<element>"))


def feeds_problems(definition: dict, codes: set[str] | None, tree_label: str = "") -> list[str]:
    """ "path: message" for each `feeds:` that names nothing known (`codes` None: no tree to check)."""
    problems = []
    for s, section in enumerate(definition["sections"]):
        for q, question in enumerate(section["questions"]):
            feeds = question.get("feeds")
            if not feeds:
                continue
            where = f"sections[{s}].questions[{q}].feeds"
            if feeds.startswith(FEEDS_PREFIX):
                key = feeds[len(FEEDS_PREFIX) :]
                if key not in SIPAS_KEYS:
                    problems.append(f"{where}: unknown SIPAS element '{key}' (one of {KNOWN})")
            elif codes is not None and feeds not in codes:
                problems.append(f"{where}: '{feeds}' is not a code of the criteria tree {tree_label}")
    return problems


def check_questionnaire(
    sender, *, campaign: Campaign, definition: dict, file_name: str, **kwargs
) -> list[str]:
    tree = campaign_tree(campaign)
    codes = set(tree.nodes.values_list("code", flat=True)) if tree else None
    return feeds_problems(definition, codes, tree.basis if tree else "")


def check_tree(sender, *, tree: CriteriaTree, **kwargs) -> list[str]:
    if tree.level != CriteriaTree.Level.PROVINCE:
        return []
    codes = set(tree.nodes.values_list("code", flat=True))
    warnings = []
    campaigns = Campaign.objects.filter(kind=Campaign.Kind.PAR_OFFICIALS, year__gte=tree.year_from)
    for campaign in campaigns:
        chosen = campaign_tree(campaign)
        if chosen is None or chosen.code != tree.code:
            continue
        for questionnaire in Questionnaire.objects.filter(campaign=campaign, is_current=True):
            for problem in feeds_problems(questionnaire.definition, codes, tree.basis):
                warnings.append(
                    f"{questionnaire.source_file or questionnaire.code} ({campaign.slug}): {problem}"
                )
    return warnings
