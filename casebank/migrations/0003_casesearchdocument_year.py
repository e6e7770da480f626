from django.db import migrations, models
from django.utils import timezone


def backfill_year(apps, schema_editor):
    """Fill the year of documents indexed before this column existed."""
    Document = apps.get_model("casebank", "CaseSearchDocument")
    CasePage = apps.get_model("casebank", "CasePage")
    published = dict(CasePage.objects.values_list("pk", "first_published_at"))
    for doc in Document.objects.filter(year__isnull=True):
        when = published.get(doc.case_id)
        if when:
            doc.year = timezone.localtime(when).year
            doc.save(update_fields=["year"])


class Migration(migrations.Migration):
    dependencies = [
        ("casebank", "0002_casereviewtask"),
    ]

    operations = [
        migrations.AddField(
            model_name="casesearchdocument",
            name="year",
            field=models.PositiveSmallIntegerField(db_index=True, null=True),
        ),
        migrations.RunPython(backfill_year, migrations.RunPython.noop),
    ]
