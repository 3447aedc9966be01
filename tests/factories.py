"""factory_boy factories for the registry's models."""

import datetime

import factory
from django.contrib.auth import get_user_model

from respondents.models import Campaign, Membership, Province, Respondent, RespondentGroup, Unit


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Province
        django_get_or_create = ("code",)

    code = "lao-cai"
    name = "Lào Cai"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("province", "code")

    province = factory.SubFactory(ProvinceFactory)
    code = factory.Sequence(lambda n: f"U{n}")
    name = factory.Sequence(lambda n: f"Sở số {n}")
    kind = Unit.Kind.DEPARTMENT


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"par-{n}")
    name = "Khảo sát PAR INDEX"
    kind = Campaign.Kind.PAR_OFFICIALS
    year = 2023
    province = factory.SubFactory(ProvinceFactory)
    list_deadline = datetime.date(2023, 12, 10)

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        codes = extracted or ["hdnd", "dept_leader", "division_leader", "district_leader"]
        self.groups.set(RespondentGroup.objects.filter(code__in=codes))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.vn")
    password = factory.django.Password("pw")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Membership.Role.COORDINATOR
    province = factory.SubFactory(ProvinceFactory)
    unit = None


class RespondentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Respondent

    campaign = factory.SubFactory(CampaignFactory)
    unit = factory.SubFactory(UnitFactory)
    group = factory.LazyFunction(lambda: RespondentGroup.objects.get(code="dept_leader"))
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    email = factory.Sequence(lambda n: f"nguoi{n}@laocai.gov.vn")
    phone = factory.Sequence(lambda n: f"+8491{n:07d}")


# --- surveys -------------------------------------------------------------------------------------------


class QuestionnaireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "surveys.Questionnaire"

    campaign = factory.SubFactory(CampaignFactory)
    code = factory.Sequence(lambda n: f"phieu-{n}")
    title = "Phiếu khảo sát cán bộ"
    definition = factory.LazyFunction(dict)
    checksum = "0" * 64


class InvitationFactory(factory.django.DjangoModelFactory):
    """An invitation; set opened_at / started_at / submitted_at explicitly where the test needs them."""

    class Meta:
        model = "surveys.Invitation"

    respondent = factory.SubFactory(RespondentFactory)
    campaign = factory.SelfAttribute("respondent.campaign")
    questionnaire = factory.SubFactory(QuestionnaireFactory, campaign=factory.SelfAttribute("..campaign"))


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "surveys.Message"

    invitation = factory.SubFactory(InvitationFactory)
    channel = "email"
    kind = "invitation"
    sequence = 0
    to = factory.LazyAttribute(lambda m: m.invitation.respondent.email)
    status = "queued"
