from assessments import demo
from assessments.models import Attempt, Exam, ExamStatistics, ItemStatistics, Question


def test_demo_seed_is_complete_and_idempotent(site):
    from courses import demo as courses_demo
    from people import demo as people_demo

    people_demo.seed()
    courses_demo.seed()
    demo.seed()
    assert Question.objects.count() >= 60
    exams = {e.code: e for e in Exam.objects.select_related("course")}
    assert set(exams) == {"EX-MED-101", "EX-REQ-101", "EX-EMG-101"}
    assert exams["EX-MED-101"].course.code == "MED-101"
    assert exams["EX-MED-101"].course_required
    for exam in exams.values():
        stats = ExamStatistics.objects.get(exam=exam)
        assert stats.attempts >= 20
        assert ItemStatistics.objects.filter(exam=exam).count() >= 10
    assert ExamStatistics.objects.get(exam=exams["EX-MED-101"]).alpha is not None
    counts = (Question.objects.count(), Attempt.objects.count(), ItemStatistics.objects.count())
    demo.seed()
    assert (
        Question.objects.count(),
        Attempt.objects.count(),
        ItemStatistics.objects.count(),
    ) == counts


def test_demo_without_courses_or_people_still_seeds_the_bank(db):
    demo.seed()
    assert Question.objects.count() >= 60
    assert Exam.objects.filter(course__isnull=True).count() == 3
    assert Attempt.objects.count() == 0
