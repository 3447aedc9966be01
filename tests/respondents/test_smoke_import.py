from respondents.models import Respondent
from respondents.services.importing import import_list
from tests.workbooks import STANDARD_HEADER, person, write_xlsx


def test_clean_file_is_imported_whole(campaign, tmp_path):
    path = write_xlsx(tmp_path / "stp.xlsx", {"Sheet1": [STANDARD_HEADER, person(1), person(2)]})
    report = import_list(campaign=campaign, path=path)
    assert report.status == "imported", report.as_dict()
    assert report.imported == 2
    assert set(Respondent.objects.values_list("phone", flat=True)) == {"+84910000001", "+84910000002"}
