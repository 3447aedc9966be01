"""Who may see and submit what in field work: scopes as querysets, shared by the API and the pages.

An enumerator works within its own assignments (team-wide ones cover every member), a clerk keys the
paper forms of every assignment of its team, a supervisor sees its team's, a coordinator of the campaign's
province sees everything of the campaign. Only enumerators and clerks key forms (may_key): supervisors
and coordinators watch, review and decide, so that no one both enters and judges an interview
(docs/decisions.md D350).
"""

from django.db.models import Q, QuerySet

from respondents.selectors import coordinated_provinces, is_coordinator

from .models import Assignment, FieldMember, FieldRecord, FieldTeam


def _teams(user, *roles):
    return FieldMember.objects.filter(user=user, role__in=roles).values("team_id")


def visible_assignments(user) -> QuerySet[Assignment]:
    if not user.is_authenticated:
        return Assignment.objects.none()
    if user.is_superuser:
        return Assignment.objects.all()
    return Assignment.objects.filter(
        Q(campaign__province_id__in=coordinated_provinces(user))
        | Q(team_id__in=_teams(user, FieldMember.Role.SUPERVISOR))
        | _keyed_by(user)
    )


def _keyed_by(user) -> Q:
    """The assignments a user keys forms for: a clerk every one of its team, an enumerator the team-wide
    ones and its own."""
    return Q(team_id__in=_teams(user, FieldMember.Role.CLERK)) | (
        Q(team_id__in=_teams(user, FieldMember.Role.ENUMERATOR))
        & (Q(enumerator__isnull=True) | Q(enumerator=user))
    )


def keyable_assignments(user) -> QuerySet[Assignment]:
    """The assignments this user may key interviews for (the rule of may_key as a query)."""
    if not user.is_authenticated:
        return Assignment.objects.none()
    return Assignment.objects.filter(_keyed_by(user))


def may_key(user, assignment: Assignment) -> bool:
    """Whether this user may enter (or re-enter) forms of the assignment: an enumerator of its team for a
    team-wide assignment or its own, a clerk of its team for any. Never a supervisor, coordinator or
    superuser as such (docs/decisions.md D350). No query when read through services/reads.py."""
    if not user.is_authenticated:
        return False
    if hasattr(assignment, "member_role"):
        roles = {assignment.member_role} - {None}
    else:
        members = FieldMember.objects.filter(user=user, team_id=assignment.team_id)
        roles = set(members.values_list("role", flat=True))
    if FieldMember.Role.CLERK in roles:
        return True
    return FieldMember.Role.ENUMERATOR in roles and assignment.enumerator_id in (None, user.pk)


def may_work_on(user, assignment: Assignment) -> bool:
    """The rule of visible_assignments for one assignment already read: the submission path's check,
    cheaper than building the scope query (no query at all when read through services/reads.py)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if hasattr(assignment, "member_role"):  # read with the assignment (services/reads.py)
        roles = {assignment.member_role} - {None}
    else:
        members = FieldMember.objects.filter(user=user, team_id=assignment.team_id)
        roles = set(members.values_list("role", flat=True))
    if roles & {FieldMember.Role.SUPERVISOR, FieldMember.Role.CLERK}:
        return True
    if FieldMember.Role.ENUMERATOR in roles and assignment.enumerator_id in (None, user.pk):
        return True
    if hasattr(assignment, "is_coordinator"):  # read with the assignment (services/reads.py)
        return assignment.is_coordinator
    return is_coordinator(user, assignment.campaign.province_id)


def visible_records(user) -> QuerySet[FieldRecord]:
    """Coordinators and supervisors see every record in their scope; enumerators and clerks their own."""
    if not user.is_authenticated:
        return FieldRecord.objects.none()
    if user.is_superuser:
        return FieldRecord.objects.all()
    worker = FieldMember.Role.ENUMERATOR, FieldMember.Role.CLERK
    return FieldRecord.objects.filter(
        Q(assignment__campaign__province_id__in=coordinated_provinces(user))
        | Q(assignment__team_id__in=_teams(user, FieldMember.Role.SUPERVISOR))
        | (
            Q(assignment__team_id__in=_teams(user, *worker))
            & (Q(enumerator=user) | Q(response__entered_by=user))
        )
    )


def may_see_record(user, *, record_id: int, entered_by_id: int | None) -> bool:
    """Whether this user may see a stored record (the rule of visible_records for one record): what an
    answer about an already used client UUID may reveal (docs/decisions.md D351)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or entered_by_id == user.pk:
        return True
    return visible_records(user).filter(pk=record_id).exists()


def supervised_team_ids(user) -> set[int]:
    """Teams whose mismatches this user may resolve (coordinators: every team of their campaigns)."""
    if not user.is_authenticated:
        return set()
    teams = FieldTeam.objects.all()
    if not user.is_superuser:
        teams = teams.filter(
            Q(campaign__province_id__in=coordinated_provinces(user))
            | Q(pk__in=_teams(user, FieldMember.Role.SUPERVISOR))
        )
    return set(teams.values_list("pk", flat=True))


def may_watch_progress(user, campaign) -> bool:
    """The campaign's field progress: supervisors of one of its teams, coordinators of its province."""
    return campaign.field_teams.filter(pk__in=supervised_team_ids(user)).exists()


def may_manage_frame(user, campaign) -> bool:
    """The sampling frame of a SIPAS campaign: its province's coordinators (docs/decisions.md D102)."""
    return campaign.kind == campaign.Kind.SIPAS_CITIZENS and is_coordinator(user, campaign.province_id)
