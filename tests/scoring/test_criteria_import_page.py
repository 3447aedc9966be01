"""The upload page of the official criteria table: who may use it, check then load, problems per row."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from scoring.models import CriteriaTree
from tests.factories import MembershipFactory, UserFactory
from tests.scoring.annex_files import write_xlsx
from tests.scoring.test_criteria_table import official_rows

URL = reverse("scoring-criteria-import")
FIELDS = {
    "code": "par-province-892",
    "title": "Chỉ số CCHC cấp tỉnh (892)",
    "decision": "892/QĐ-BNV",
    "years": "2024-2030",
    "level": "province",
    "total": "100",
    "expect": "8/37/88",
}


@pytest.fixture
def annex(tmp_path):
    return write_xlsx(tmp_path / "phu-luc-892.xlsx", official_rows()).read_bytes()


def test_only_coordinators_and_the_admin_load_criteria_tables(client, db, province):
    client.force_login(UserFactory(username="someone"))
    assert client.get(URL).status_code == 403
    client.force_login(MembershipFactory(user=UserFactory(username="dp"), province=province).user)
    assert client.get(URL).status_code == 200


def test_check_stores_nothing_then_load_stores_the_checked_file(
    client, db, province, annex, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(MembershipFactory(user=UserFactory(username="dp"), province=province).user)
    upload = SimpleUploadedFile("phu-luc-892.xlsx", annex)
    html = client.post(URL, {**FIELDS, "file": upload, "check": "1"}).content.decode()
    assert 'id="count-sub-criteria">88<' in html and not CriteriaTree.objects.exists()
    token = html.split('name="token" value="')[1].split('"')[0]
    response = client.post(
        URL, {**FIELDS, "token": token, "suffix": ".xlsx", "file_name": "phu-luc-892.xlsx", "load": "1"}
    )
    assert response.status_code == 200
    tree = CriteriaTree.objects.get(code="par-province-892")
    assert tree.source_file == "phu-luc-892.xlsx" and tree.nodes.count() == 8 + 37 + 88


def test_a_broken_table_shows_each_problem_with_its_row_and_a_400(client, db, province, tmp_path):
    rows = official_rows()
    rows[3][2] = "không"
    path = write_xlsx(tmp_path / "sai.xlsx", rows)
    client.force_login(MembershipFactory(user=UserFactory(username="dp"), province=province).user)
    response = client.post(
        URL, {**FIELDS, "file": SimpleUploadedFile("sai.xlsx", path.read_bytes()), "check": "1"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "max_not_a_number" in html and '<td class="num">9</td>' in html  # data row 4 is sheet row 9
    assert not CriteriaTree.objects.exists()


def test_a_file_of_another_kind_is_refused_by_the_form(client, db, province):
    client.force_login(MembershipFactory(user=UserFactory(username="dp"), province=province).user)
    response = client.post(URL, {**FIELDS, "file": SimpleUploadedFile("bang.pdf", b"%PDF-1.4")})
    assert response.status_code == 200 and ".docx" in response.content.decode()
