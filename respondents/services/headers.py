"""The layout of a respondent list: the columns units send and the labels they give them, with or without
diacritics, in English or abbreviated (docs/methodology.md §11). The header search itself is
kit/tabular/headers.py."""

from kit.tabular.layout import Layout

LAYOUT = Layout(
    # Order matters: "Địa chỉ email" is an e-mail column, "Điện thoại cơ quan" a phone column.
    labels={
        "stt": ["stt", "tt", "so tt", "so thu tu", "no", "n0", "sl"],
        "email": ["*email*", "*e mail*", "*thu dien tu*", "mail"],
        "phone": [
            "*dien thoai*", "*di dong*", "*sdt*", "*dtdd*", "*phone*", "*mobile*",
            "dt", "dt *", "dd", "dd *", "so dt *", "tel", "telephone",
        ],
        "full_name": ["*ho va ten*", "*ho ten*", "ten", "name", "full name", "hoten"],
        "position": ["*chuc vu*", "*chuc danh*", "position", "title", "job title"],
        "group": ["*nhom*", "*doi tuong*", "group", "thanh phan", "loai"],
        "unit": [
            "*don vi*", "*co quan*", "*noi cong tac*",
            "unit", "organisation", "organization", "agency", "department", "to chuc",
        ],
    },
    fallback={"full_name": ["ten *"]},  # after the unit: "Tên đơn vị" is a unit column
    preferred={"phone": ["*di dong*", "*dd*", "*mobile*"]},  # of several phone columns, mobiles first
    names={
        "full_name": "Họ và tên",
        "unit": "Đơn vị",
        "phone": "Số điện thoại",
        "email": "Email",
        "position": "Chức vụ",
        "group": "Nhóm đối tượng",
        "stt": "STT",
    },
    required=("full_name",),
    min_fields=3,  # the name column and at least two others
    data_fields=("email", "phone"),
    fill_down=("unit", "group", "position"),
)  # fmt: skip


def classify_header(text: object) -> str | None:
    """The field a header cell of a respondent list names, or None."""
    return LAYOUT.classify(text)
