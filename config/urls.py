"""URL map: pages, API (v1) with its OpenAPI schema, admin, i18n switch."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import health, views
from .auth import AdminLoginForm, LoginForm

admin.site.login_form = AdminLoginForm  # user names longer than any account's are a form error

urlpatterns = [
    # The API first: devices post here all day, and every "" include below would be tried before it
    # (~0.2 ms a request, bench/field_api.py). None of the pages' patterns matches an api/ path.
    path("api/v1/field/", include("fieldwork.api.urls")),
    path("api/v1/", include("respondents.api_urls")),
    path("", views.home, name="home"),
    path("", include("respondents.urls")),
    path("", include("surveys.urls")),
    path("", include("scoring.urls")),
    path("", include("analysis.urls")),
    path("", include("audit.urls")),
    path("", include("jobs.urls")),
    path("field/", include("fieldwork.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Split view: Swagger UI's set-up script is a separate file, so the page needs no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
]
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.outage.server_error"  # database outages answer 503 (config/outage.py)
