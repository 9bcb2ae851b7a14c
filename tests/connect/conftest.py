import pytest

from connect.models import AccountLink, Provider, VendorApp
from organization.models import Unit

from .fakes import VendorFake


@pytest.fixture
def fake(settings):
    server = VendorFake()
    for name, value in server.settings().items():
        setattr(settings, name, value)
    yield server
    server.close()


def configure(township: Unit, provider: str, **overrides) -> VendorApp:
    """The township's application at ``provider``, with the fake's credentials."""
    if provider == Provider.WECOM:
        values = {
            "corp_id": VendorFake.WECOM_CORP_ID,
            "agent_id": VendorFake.WECOM_AGENT_ID,
            "secret": VendorFake.WECOM_SECRET,
        }
    else:
        values = {
            "corp_id": VendorFake.DINGTALK_CORP_ID,
            "agent_id": VendorFake.DINGTALK_AGENT_ID,
            "app_key": VendorFake.DINGTALK_APP_KEY,
            "secret": VendorFake.DINGTALK_SECRET,
        }
    return VendorApp.objects.create(township=township, provider=provider, **{**values, **overrides})


@pytest.fixture
def qingshan(township):
    return Unit.objects.get(code="township")


@pytest.fixture
def baishui(township):
    return Unit.objects.get(code="bs-township")


def configure_both_and_link_the_cadre(personas) -> None:
    """青山镇 has both vendors set up; cadre001 is zhangsan in both corps."""
    qingshan = Unit.objects.get(code="township")
    configure(qingshan, Provider.WECOM)
    configure(qingshan, Provider.DINGTALK)
    for provider, external_id in ((Provider.WECOM, "zhangsan"), (Provider.DINGTALK, "dt-zhangsan")):
        AccountLink.objects.create(
            user=personas.cadre,
            township=qingshan,
            provider=provider,
            external_id=external_id,
            linked_by=personas.office,
        )


@pytest.fixture
def configured(township, fake):
    configure_both_and_link_the_cadre(township)
    return township
