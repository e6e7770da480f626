"""Idempotent set-up of the case library: the ``/cases/`` page, the 「案例审核」 workflow and
the trainers' and reviewers' page permissions on it.

Run by ``manage.py setup_casebank`` and by ``manage.py seed_demo``; running it again changes
nothing.
"""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from people.roles import REVIEWER, TRAINER, group_for

from .models import CaseIndexPage, CaseReviewTask

WORKFLOW_NAME = "案例审核"
LIBRARY_SLUG = "cases"

# Trainers write and edit cases but cannot publish: publishing happens only through review.
ROLE_PAGE_PERMISSIONS = {
    TRAINER: ["add_page", "change_page"],
    REVIEWER: ["change_page"],
}


def ensure_library(home: Page) -> CaseIndexPage:
    index = CaseIndexPage.objects.first()
    if index is None:
        index = home.add_child(
            instance=CaseIndexPage(
                title="案例库",
                slug=LIBRARY_SLUG,
                intro="来自各网格的社区工作法：检索、筛选、学习，也欢迎投稿。",
            )
        )
    return index


def ensure_review_workflow(index: CaseIndexPage) -> Workflow:
    task = CaseReviewTask.objects.filter(name=WORKFLOW_NAME).first()
    if task is None:
        task = CaseReviewTask.objects.create(name=WORKFLOW_NAME)
    task.groups.add(group_for(REVIEWER))
    workflow, _created = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=index, defaults={"workflow": workflow})
    return workflow


def ensure_permissions(index: CaseIndexPage) -> None:
    for role, codenames in ROLE_PAGE_PERMISSIONS.items():
        group = group_for(role)
        for codename in codenames:
            permission = Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            )
            GroupPagePermission.objects.get_or_create(
                group=group, page=index, permission=permission
            )
    # Trainers attach documents (台账、协议样式) to cases.
    root = Collection.get_first_root_node()
    trainers = group_for(TRAINER)
    for codename in ["add_document", "choose_document"]:
        permission = Permission.objects.filter(
            content_type__app_label="wagtaildocs", codename=codename
        ).first()
        if permission is not None and root is not None:
            GroupCollectionPermission.objects.get_or_create(
                group=trainers, collection=root, permission=permission
            )


@transaction.atomic
def setup_case_library(home: Page | None = None) -> CaseIndexPage:
    """Create (or keep) the library page, its review workflow and permissions."""
    if home is None:
        from django.apps import apps

        home_model = apps.get_model("lms", "HomePage")
        home = home_model.objects.first()
        if home is None:
            raise RuntimeError("Create the site's HomePage first (manage.py seed_demo does).")
    index = ensure_library(home)
    ensure_review_workflow(index)
    ensure_permissions(index)
    return index
