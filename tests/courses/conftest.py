import pytest

from courses.factories import CourseIndexPageFactory, CoursePageFactory, LessonPageFactory


@pytest.fixture
def index(site):
    return CourseIndexPageFactory(parent=site)


@pytest.fixture
def course(index):
    """MED-101 with two lessons."""
    course = CoursePageFactory(parent=index, code="MED-101", title="人民调解法与邻里纠纷调解实务")
    LessonPageFactory(parent=course, title="受理与告知", slug="intake")
    LessonPageFactory(parent=course, title="调解协议与回访", slug="agreement")
    return course


@pytest.fixture
def advanced(index, course):
    """MED-201 requires MED-101."""
    adv = CoursePageFactory(parent=index, code="MED-201", title="复杂纠纷多元化解", tier="T2")
    LessonPageFactory(parent=adv, title="诉调对接", slug="linkage")
    adv.prerequisites.add(course)
    adv.save_revision().publish()
    return adv


def lessons_of(course):
    from courses.services import live_lessons

    return list(live_lessons(course))
