"""What units type, cell by cell: names, e-mails, phone numbers and header labels (pure functions, no DB).

Policy: docs/guides/lists.md, docs/methodology.md §11. Expected values are written out here, never read back
from the service's own tables, so that a wrong mapping in the service makes a test fail.
"""

import random
import unicodedata

import email_validator
import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from kit.emails import _is_valid_email, normalise_email
from kit.names import normalise_name
from kit.phones import _check_vn_number, normalise_phones
from kit.phones import parse_vn_phone as parse
from kit.text import match_key
from respondents.services.headers import classify_header

DECOMPOSED_NGUYEN = "Nguye\u0302\u0303n"  # "Nguyễn" as some keyboards and converters emit it
assert DECOMPOSED_NGUYEN != "Nguyễn" and unicodedata.normalize("NFC", DECOMPOSED_NGUYEN) == "Nguyễn"

# ------------------------------------------------------------------------------------------------ names


def test_decomposed_unicode_name_is_stored_composed_as_nfc():
    result = normalise_name(f"{DECOMPOSED_NGUYEN} Văn An")
    assert result.value == "Nguyễn Văn An"
    assert unicodedata.is_normalized("NFC", result.value)
    assert not result.recased


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Trần   Thị\tBình  ", "Trần Thị Bình"),
        ("Nguyễn\u00a0Văn\nAn", "Nguyễn Văn An"),
        ("Lê Văn\u200b An", "Lê Văn An"),
        ("Đ/c Lê Văn Cường", "Lê Văn Cường"),
        ("Đồng chí Lê Văn Cường", "Lê Văn Cường"),
        ("nguyễn văn an", "nguyễn văn an"),  # only capitals are re-cased
        ("Lê Văn AN", "Lê Văn AN"),
        (None, ""),
        ("   ", ""),
    ],
)
def test_name_whitespace_is_collapsed_and_nothing_else_changes(raw, expected):
    assert normalise_name(raw).value == expected
    assert not normalise_name(raw).recased


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("NGUYỄN VĂN AN", "Nguyễn Văn An"),
        ("ĐỖ THỊ ĐÀO", "Đỗ Thị Đào"),
        ("  TRẦN  THỊ   BÌNH ", "Trần Thị Bình"),
        ("NGUYE\u0302\u0303N VĂN AN", "Nguyễn Văn An"),
    ],
)
def test_name_typed_in_capitals_is_put_in_title_case_and_flagged(raw, expected):
    assert normalise_name(raw) == type(normalise_name(raw))(expected, True)


# ----------------------------------------------------------------------------------------------- e-mail


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" Nguoi1@LaoCai.Gov.VN ", "nguoi1@laocai.gov.vn"),
        ("mailto:GD@stp.laocai.gov.vn", "gd@stp.laocai.gov.vn"),
        ("<an.nv@laocai.gov.vn>", "an.nv@laocai.gov.vn"),
        ("an.nv@laocai.gov.vn.", "an.nv@laocai.gov.vn"),
        ("an.nv@gmail.com\u200b", "an.nv@gmail.com"),
    ],
)
def test_email_is_trimmed_and_lower_cased(raw, expected):
    result = normalise_email(raw)
    assert (result.value, result.invalid, result.extra) == (expected, False, ())


MISTYPED_EMAILS = {
    "no-domain-suffix": "an.nv@laocai",
    "double-at": "an.nv@@laocai.gov.vn",
    "two-ats": "an@nv@laocai.gov.vn",
    "no-at": "an.nv",
    "comma-in-domain": "an.nv@laocai,gov.vn",
    "no-local-part": "@laocai.vn",
}


@pytest.mark.parametrize("raw", MISTYPED_EMAILS.values(), ids=MISTYPED_EMAILS.keys())
def test_mistyped_email_is_invalid_and_kept_as_written_in_lower_case(raw):
    assert normalise_email(raw) == type(normalise_email(raw))(value=raw.lower(), invalid=True)


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_empty_email_is_neither_a_value_nor_invalid(raw):
    result = normalise_email(raw)
    assert (result.value, result.invalid) == ("", False)


@pytest.mark.parametrize("separator", ["; ", ", ", " / ", "\n", " "])
def test_several_emails_in_a_cell_keep_the_first_and_list_the_rest(separator):
    result = normalise_email(f"An.NV@laocai.gov.vn{separator}an.nv@gmail.com")
    assert (result.value, result.extra) == ("an.nv@laocai.gov.vn", ("an.nv@gmail.com",))
    assert not result.invalid


def test_email_with_a_space_inside_is_invalid_not_truncated_to_another_address():
    assert normalise_email("nguyen van@laocai.gov.vn").invalid


# Addresses Django's validator accepts and refuses, odd ones included.
LONG_DOMAIN = "b" * 63 + "." + "c" * 63 + "." + "d" * 63 + ".vn"  # 194 characters
ADDRESSES = [
    "an.nv@laocai.gov.vn", "a.b-c+d_e@sub.laocai.gov.vn", "a/b=c?d@x.vn", '"an nv"@x.vn', "an@localhost",
    "an@[192.168.0.1]", "an@[::1]", "an@xn--bcher-kva.vn", "an@bücher.vn", "nguyễn@x.vn", "an@x.v",
    "a..b@x.vn", ".an@x.vn", "an.@x.vn", "an@x", "an@-x.vn", "an@x-.vn", "an@x..vn", "an@[999.1.1.1]",
    "a" * 65 + "@x.vn", "an@" + "b" * 64 + ".vn", "a" * 310 + "@x.vn", "@x.vn", "an@", "", "an@x.vn\n",
    # At email-validator's 254-character limit, and one over it (the usual shape is checked per domain).
    "a" * 59 + "@" + LONG_DOMAIN, "a" * 60 + "@" + LONG_DOMAIN, "a" * 64 + "@" + "b" * 63 + ".vn",
    "an@1.2.3.4", "an@x.123", "an@x.vn.", "an@.x.vn", "an@x_y.vn", "an@xn--.vn", "an@test", "an@x.local",
    "an+@x.vn", "-@x.vn", "a_b@x.vn", "AN@X.VN",
]  # fmt: skip


def _library_accepts(address: str) -> bool:
    try:
        email_validator.validate_email(address, check_deliverability=False)
    except email_validator.EmailNotValidError:
        return False
    return True


@pytest.mark.parametrize("address", ADDRESSES)
def test_email_check_accepts_what_both_django_and_email_validator_accept(address):
    # Django's validator with its regexes compiled up front, then email-validator's syntax rules (D260).
    try:
        validate_email(address)
    except ValidationError:
        django_accepts = False
    else:
        django_accepts = True
    assert _is_valid_email(address) is (django_accepts and _library_accepts(address))


def test_email_check_agrees_with_both_libraries_on_generated_addresses():
    # The usual shape (a plain local part, a plain domain) takes email-validator's verdict per domain.
    rng = random.Random(260)
    alphabet = "ab.-_+1"
    for _ in range(3000):
        local = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 6)))
        domain = "".join(rng.choice("ab.-1") for _ in range(rng.randint(1, 8))) + rng.choice(["", ".vn"])
        address = f"{local}@{domain}"
        try:
            validate_email(address)
        except ValidationError:
            django_accepts = False
        else:
            django_accepts = True
        assert _is_valid_email(address) is (django_accepts and _library_accepts(address)), address


@pytest.mark.parametrize(
    "address", ["an@localhost", "an@[192.168.0.1]", "a" * 310 + "@x.vn", "an@x..vn", "nguyễn@x.vn", "an@x.v"]
)
def test_addresses_no_mail_server_would_take_are_refused(address):
    assert not _is_valid_email(address)


def test_deliverability_asks_the_dns_once_per_domain(monkeypatch):
    # No network in tests: email-validator's resolver is replaced by one that knows two domains.
    from kit import emails

    asked = []

    def fake_validate(value, *, check_deliverability, timeout=None):
        domain = value.rpartition("@")[2]
        asked.append(domain)
        if domain != "laocai.gov.vn":
            raise email_validator.EmailUndeliverableError("The domain name does not accept email.")
        return value

    emails._domain_accepts_mail.cache_clear()
    monkeypatch.setattr(emails, "validate_email", fake_validate)
    assert emails.is_deliverable("an.nv@laocai.gov.vn")
    assert emails.is_deliverable("binh@LAOCAI.gov.vn")
    assert not emails.is_deliverable("an@khong-co-thu.vn")
    assert asked == ["laocai.gov.vn", "khong-co-thu.vn"]
    emails._domain_accepts_mail.cache_clear()


# ----------------------------------------------------------------------------------------------- phones


@pytest.mark.parametrize("raw", [912345678, 912345678.0, "912345678"], ids=["int", "float", "text-of-number"])
def test_phone_stored_as_number_gets_its_leading_zero_back(raw):
    assert normalise_phones(raw).primary == "+84912345678"


@pytest.mark.parametrize(
    "text",
    [
        "0912345678",
        "0912.345.678",
        "0912 345 678",
        "0912-345-678",
        " 0912345678 ",
        "+84912345678",
        "+84 912 345 678",
        "(+84) 912 345 678",
        "84912345678",
        "84 912 345 678",
        "0084912345678",
        "0084 912 345 678",
        "+84 0912 345 678",
        "+84 (0) 912 345 678",
        "ĐT: 0912 345 678",
    ],
)
def test_mobile_written_any_usual_way_is_one_e164_number(text):
    assert parse(text) == type(parse(text))("+84912345678", mobile=True)


# The prefix table (docs/methodology.md §11.2), written out in full.
OLD_TO_NEW = {
    **{f"016{d}": f"03{d}" for d in "23456789"},  # Viettel
    **{"0120": "070", "0121": "079", "0122": "077", "0126": "076", "0128": "078"},  # MobiFone
    **{"0123": "083", "0124": "084", "0125": "085", "0127": "081", "0129": "082"},  # VinaPhone
    **{"0186": "056", "0188": "058"},  # Vietnamobile
    "0199": "059",  # Gmobile
}


@pytest.mark.parametrize(("old", "new"), OLD_TO_NEW.items())
def test_every_pre_2018_mobile_prefix_is_mapped_to_its_10_digit_form(old, new):
    phone = parse(f"{old} 345 6789")
    assert phone is not None
    assert (phone.e164, phone.mobile, phone.old_prefix) == (f"+84{new[1:]}3456789", True, old)


@pytest.mark.parametrize("text", ["1623456789", "+84 162 345 6789", "841623456789", "0162.345.6789"])
def test_old_prefix_is_recognised_however_the_number_was_written(text):
    phone = parse(text)
    assert phone is not None and (phone.e164, phone.old_prefix) == ("+84323456789", "0162")


def test_old_prefix_is_reported_by_the_cell_normaliser():
    assert normalise_phones(1623456789).old_prefixes == ("0162",)
    assert normalise_phones("0912345678").old_prefixes == ()


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("0214 3840 123", "+842143840123"),  # Lào Cai
        ("0214.3840.123", "+842143840123"),
        ("(0214) 3840123", "+842143840123"),
        ("214 3840 123", "+842143840123"),  # stored as a number
        ("+84 214 3840 123", "+842143840123"),
        ("024 3825 6789", "+842438256789"),  # Hà Nội
    ],
)
def test_landline_with_its_area_code_is_valid_but_not_mobile(text, e164):
    assert parse(text) == type(parse(text))(e164, mobile=False)


@pytest.mark.parametrize(
    "text",
    ["12345", "091234567", "09123456789", "0912345678901", "abc", "0000000000", "1900 1234", "0112345678"],
)
def test_invalid_numbers_are_rejected(text):
    assert parse(text) is None


@pytest.mark.parametrize(
    "text", ["+1 202 555 0143", "+44 20 7946 0958", "0012025550143", "+86 138 0013 8000", "+856 20 5551 2345"]
)
def test_foreign_numbers_are_rejected(text):
    assert parse(text) is None


@pytest.mark.parametrize(
    "cell",
    [
        "0912345678 / 0987654321",
        "0912345678; 0987654321",
        "0912345678, 0987654321",
        "0912345678 - 0987654321",
        "0912345678 hoặc 0987654321",
        "0912345678 0987654321",
        "0912 345 678 0987 654 321",
        "0912.345.678/0987.654.321",
    ],
)
def test_two_numbers_in_one_cell_give_a_primary_and_an_alternate(cell):
    result = normalise_phones(cell)
    assert (result.primary, result.alternates) == ("+84912345678", ("+84987654321",))
    assert not result.invalid_parts and not result.landline_only


@pytest.mark.parametrize("cell", ["0912345678\n0987654321", "0912345678\r\n0987654321\n"])
def test_one_number_per_line_gives_a_primary_and_an_alternate(cell):
    result = normalise_phones(cell)
    assert (result.primary, result.alternates) == ("+84912345678", ("+84987654321",))


@pytest.mark.parametrize(
    "cell", ["0214 3840 123 / 0912345678", "CQ: 0214 3840 123; DĐ: 0912345678", "02143840123\n912345678"]
)
def test_first_mobile_is_primary_even_after_a_landline(cell):
    result = normalise_phones(cell)
    assert (result.primary, result.alternates, result.landline_only) == (
        "+84912345678",
        ("+842143840123",),
        False,
    )


def test_landline_alone_is_primary_and_flagged_landline_only():
    result = normalise_phones("0214 3840 123")
    assert (result.primary, result.alternates, result.landline_only) == ("+842143840123", (), True)


def test_same_number_written_twice_in_a_cell_is_kept_once():
    assert normalise_phones("0912345678 / 0912.345.678").alternates == ()


def test_invalid_part_beside_a_valid_number_is_kept_aside():
    result = normalise_phones("0912345678 / +1 202 555 0143")
    assert (result.primary, result.invalid_parts) == ("+84912345678", ("+1 202 555 0143",))


@pytest.mark.parametrize("cell", ["không có", "12345", "+1 202 555 0143"])
def test_cell_without_a_valid_number_has_no_primary_and_is_not_empty(cell):
    result = normalise_phones(cell)
    assert (result.primary, result.invalid_parts, result.empty) == ("", (cell,), False)


@pytest.mark.parametrize("cell", [None, "", "   "])
def test_empty_phone_cell_is_empty(cell):
    assert normalise_phones(cell).empty


def _verdict_of_parse(digits: str) -> tuple[str, bool] | None:
    """What phonenumbers.parse() and number_type() say of a number: (E.164, is a mobile), or None."""
    types = phonenumbers.PhoneNumberType
    try:
        number = phonenumbers.parse(digits, "VN")
    except phonenumbers.NumberParseException:
        return None
    kind = phonenumbers.number_type(number)
    if kind not in (types.MOBILE, types.FIXED_LINE, types.FIXED_LINE_OR_MOBILE):
        return None
    return f"+84{number.national_number}", kind != types.FIXED_LINE


def test_national_number_gets_the_verdict_phonenumbers_parse_gives_it():
    # The check builds the PhoneNumber of "0" + 9 or 10 digits itself instead of calling parse(). For every
    # two-digit prefix and both lengths it must be the number parse() returns, with the same verdict.
    rng = random.Random(84)
    tails = ["0000000", "1234567", "9999999", *(f"{rng.randrange(10**7):07d}" for _ in range(12))]
    prefixes = [f"0{a}{b}" for a in "123456789" for b in "0123456789"]
    for digits in [prefix + tail + more for prefix in prefixes for tail in tails for more in ("", "8")]:
        assert phonenumbers.parse(digits, "VN") == phonenumbers.PhoneNumber(84, int(digits[1:])), digits
        assert _check_vn_number.__wrapped__(digits) == _verdict_of_parse(digits), digits
    # Other shapes still go through parse().
    for digits in ["", "0", "091234567", "0912345678901", "00912345678", "84912345678", "912345678"]:
        assert _check_vn_number.__wrapped__(digits) == _verdict_of_parse(digits), digits


# -------------------------------------------------------------------------------------- matching keys


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Sở Tư pháp", "so tu phap"),
        ("  SỞ TƯ PHÁP ", "so tu phap"),
        ("So tu phap", "so tu phap"),
        ("Huyện Bát Xát", "huyen bat xat"),
        ("Đơn vị công tác", "don vi cong tac"),
        (DECOMPOSED_NGUYEN, "nguyen"),
        ("Đ/c Email", "d c email"),
        ("Họ  và   tên", "ho va ten"),
        ("HĐND tỉnh", "hdnd tinh"),
        (12.0, "12"),
        (None, ""),
    ],
)
def test_match_key_ignores_case_diacritics_and_punctuation(raw, key):
    assert match_key(raw) == key


# ---------------------------------------------------------------------------------------------- headers

HEADER_LABELS = {
    "stt": ["STT", "TT", "Số TT", "No."],
    "full_name": [
        "Họ và tên", "Ho va ten", "HỌ VÀ TÊN", "Họ tên", "Họ và tên đại biểu", "Full name", "Name", "Tên",
    ],
    "position": ["Chức vụ", "Chuc vu", "Chức danh", "Position", "Job title"],
    "unit": [
        "Đơn vị", "Đơn vị công tác", "Don vi cong tac", "Tên đơn vị", "Tên cơ quan", "Cơ quan",
        "Nơi công tác", "Unit", "Organisation", "Agency",
    ],
    "group": ["Nhóm đối tượng", "Nhom doi tuong", "Đối tượng", "Nhóm", "Tên nhóm", "Group", "Thành phần"],
    "phone": [
        "Số điện thoại", "So dien thoai", "Điện thoại", "SĐT", "SDT", "ĐT", "Số ĐT", "ĐTDĐ", "DĐ",
        "Điện thoại di động", "Điện thoại cơ quan", "Phone", "Phone number", "Mobile", "Tel",
    ],
    "email": [
        "Email", "E-mail", "EMAIL", "Thư điện tử", "Thu dien tu", "Địa chỉ email", "Đ/c Email",
        "Đ/c thư điện tử", "Email address", "Mail",
    ],
    None: ["Ghi chú", "Ngày sinh", "Giới tính", "Thông tin liên hệ", "", None],
}  # fmt: skip


@pytest.mark.parametrize(
    ("label", "field"), [(label, field) for field, labels in HEADER_LABELS.items() for label in labels]
)
def test_header_is_recognised_by_its_usual_names_with_or_without_diacritics(label, field):
    assert classify_header(label) == field


def test_phone_type_is_phonenumbers_own():
    # The Vietnamese number type is computed from phonenumbers' metadata with the patterns compiled once
    # (kit/phones.py); for every three-digit prefix, lengths 7 to 11, it is number_type()'s verdict.
    from kit.phones import _VN_NUMBER_TYPE

    rng = random.Random(1001)
    for prefix in (f"{a}{b}{c}" for a in "123456789" for b in "0123456789" for c in "0123456789"):
        for length in range(7, 12):
            for _ in range(3):
                national = prefix + "".join(rng.choice("0123456789") for _ in range(length - 3))
                number = phonenumbers.PhoneNumber(country_code=84, national_number=int(national))
                assert _VN_NUMBER_TYPE(national) == phonenumbers.number_type(number), national
