"""The coordinator's sampling-frame page: check, import, errors by sheet/row/column; coordinators only."""

from django.core.files.uploadedfile import SimpleUploadedFile

from fieldwork.models import SamplingFrameEntry
from tests.fieldwork.test_setup_imports import FRAME_HEADER
from tests.workbooks import write_xlsx

URL = "/field/campaigns/sipas-field/frame/"


def upload(tmp_path, rows, name="khung.xlsx"):
    path = write_xlsx(tmp_path / name, {"Danh sách": rows})
    return SimpleUploadedFile(name, path.read_bytes())


def test_a_coordinator_checks_then_imports_a_frame(client, coordinator, sipas, commune, tmp_path):
    client.force_login(coordinator)
    rows = [FRAME_HEADER, [1, "Nguyễn Văn An", "Cá nhân", "0912345678", "Thôn 1", "Trịnh Tường"]]
    checked = client.post(URL, {"file": upload(tmp_path, rows), "dry_run": "on"})
    assert checked.status_code == 200 and not SamplingFrameEntry.objects.exists()
    imported = client.post(URL, {"file": upload(tmp_path, rows)})
    assert imported.status_code == 200
    assert SamplingFrameEntry.objects.get().area == commune
    assert "Xã Trịnh Tường" in imported.content.decode()


def test_errors_are_listed_by_sheet_row_and_column_with_a_400(client, coordinator, sipas, commune, tmp_path):
    client.force_login(coordinator)
    rows = [FRAME_HEADER, [1, "Nguyễn Văn An", "Cá nhân", "12345", "Thôn 1", "Trịnh Tường"]]
    page = client.post(URL, {"file": upload(tmp_path, rows)})
    html = page.content.decode()
    assert page.status_code == 400
    assert "<td>khung.xlsx</td><td>Danh sách</td><td>2</td><td>D</td>" in html
    assert not SamplingFrameEntry.objects.exists()


def test_only_the_campaigns_coordinators_see_the_page(client, field, focal_stp, sipas):
    for user in (focal_stp, field["users"]["sup1"], field["users"]["a"]):
        client.force_login(user)
        assert client.get(URL).status_code == 404
    client.logout()
    assert client.get(URL).status_code == 302
