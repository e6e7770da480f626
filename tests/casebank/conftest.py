import pytest

from casebank.factories import LawFactory, build_case, publish
from casebank.setup import setup_case_library


@pytest.fixture
def library(site):
    """The case library at /cases/ with its 「案例审核」 workflow and permissions."""
    return setup_case_library(site)


@pytest.fixture
def laws(db):
    class Laws:
        mediation = LawFactory(name="中华人民共和国人民调解法", short_name="人民调解法")
        fire = LawFactory(name="中华人民共和国消防法", short_name="消防法")
        civil = LawFactory(name="中华人民共和国民法典", short_name="民法典")

    return Laws


@pytest.fixture
def make_case(library):
    def _make(title="「三步听诊」化解漏水纠纷", live=True, **kwargs):
        page = build_case(library, title=title, **kwargs)
        return publish(page) if live else page

    return _make
