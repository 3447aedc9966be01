"""Error pages in the site's layout and in Vietnamese, with a way back and no detail of the error
(config/errors.py); DEBUG is off in the tests, as in production."""

import json

import pytest
from django.urls import reverse

from config.outage import server_error
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.faults.outage_urls")]


@pytest.fixture
def user_client(client):
    client.force_login(UserFactory(username="nguoi-dung"))
    client.raise_request_exception = False
    return client


def assert_site_page(body: str, title: str) -> None:
    assert '<html lang="vi">' in body
    assert f"<h1>{title}</h1>" in body
    assert 'class="brand"' in body  # the site's header
    assert f'href="{reverse("home")}"' in body and "Về trang chủ" in body  # a way back
    for leak in ("Traceback", "Not Found", "Forbidden", "Server Error", "Django", "DEBUG", "5432"):
        assert leak not in body


def test_an_unknown_address_gets_the_vietnamese_404_page_without_echoing_the_address(user_client):
    response = user_client.get("/khong-co-trang-nay/<script>/")
    assert response.status_code == 404
    body = response.content.decode()
    assert_site_page(body, "Không tìm thấy trang")
    main = body[body.index("<main>") :]
    assert "khong-co-trang-nay" not in main and "<script>" not in body
    assert "nguoi-dung" in body  # the user stays logged in, with the menu


def test_a_page_outside_the_users_role_gets_the_vietnamese_403_page(user_client, campaign):
    response = user_client.get(reverse("field-progress"))
    assert response.status_code == 403
    assert_site_page(response.content.decode(), "Không có quyền truy cập")


def test_a_programming_error_gets_the_vietnamese_500_page(user_client):
    response = user_client.get("/broken/bug/")
    assert response.status_code == 500
    body = response.content.decode()
    assert_site_page(body, "Đã có lỗi xảy ra")
    assert "a programming error" not in body and "nguoi-dung" not in body


def test_the_500_page_itself_touches_no_database(rf, django_assert_num_queries):
    request = rf.get("/broken/bug/")
    try:
        raise ValueError("a programming error")
    except ValueError:
        with django_assert_num_queries(0):  # no session, user or menu read for a page about a failure
            response = server_error(request)
    assert response.status_code == 500 and "Đã có lỗi xảy ra" in response.content.decode()


def test_the_database_outage_page_is_in_the_layout_too(client):
    client.raise_request_exception = False
    response = client.get("/broken/database/")
    assert response.status_code == 503
    assert_site_page(response.content.decode(), "Hệ thống tạm thời gián đoạn")


def test_the_api_gets_json_errors(user_client):
    response = user_client.get("/api/v1/khong-co/")
    assert response.status_code == 404
    assert json.loads(response.content)["detail"] == "Trang này không có hoặc không còn nữa."


def test_a_form_sent_without_its_token_gets_the_vietnamese_expired_form_page(campaign, coordinator):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(coordinator)
    response = strict.post(reverse("campaign-remind", args=[campaign.slug]))
    assert response.status_code == 403
    assert_site_page(response.content.decode(), "Biểu mẫu đã hết hạn")
