"""The demo leaves workers at every stage and a second run changes nothing."""

from certification import demo
from certification.models import Certificate, GradeReview, GradeReviewItem


def test_demo_stages_and_idempotent(site):
    from people import demo as people_demo

    people_demo.seed()
    demo.seed()
    counts = (
        Certificate.objects.count(),
        GradeReview.objects.count(),
        GradeReviewItem.objects.count(),
    )
    demo.seed()
    assert counts == (
        Certificate.objects.count(),
        GradeReview.objects.count(),
        GradeReviewItem.objects.count(),
    )
    status = {
        (c.worker.employee_no, c.level.code): c.status
        for c in Certificate.objects.select_related("worker", "level")
    }
    assert status[("QC0010", "C0")] == "valid"
    assert status[("QC0012", "C1")] == "valid"
    assert status[("QC0031", "C2")] == "valid"
    assert status[("QC0013", "C1")] == "revoked"
    assert status[("QC0015", "C1")] == "expired"
    expiring = Certificate.objects.get(worker__employee_no="QC0014", level__code="C1")
    assert expiring.status == "valid" and expiring.reminders.exists()
    items = GradeReviewItem.objects.filter(decision="pending")
    assert items.filter(eligible=True).exists()
    assert items.filter(eligible=False).exists()
