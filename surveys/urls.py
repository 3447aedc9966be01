"""Survey URLs. Each area keeps its views in its own module under surveys/views/."""

urlpatterns: list = []
