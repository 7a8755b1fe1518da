import pytest

from recruitment import services


@pytest.fixture
def applicant(cast, vacancy):
    return services.applicant_add(
        vacancy=vacancy, by=cast.leader.user, name="Ane Ansøger", email="ane@example.org"
    )
