"""Publish a Celery task after the transaction commits, by name.

By name, so a lower app (contracts) can ask for work done in a higher one
(notifications) without importing it. A broker that is down must not fail the
request that already committed: the periodic sweepers find the work later.
"""

import logging

from django.db import transaction

from partnerships.celery import app

log = logging.getLogger(__name__)


def publish_now(task_name: str, *args, **options) -> bool:
    try:
        app.send_task(task_name, args=args, retry=False, **options)
        return True
    except Exception:  # broker down or unreachable: the sweeper will pick the work up
        log.warning("could not publish %s%r; left for the sweeper", task_name, args, exc_info=True)
        return False


def publish_on_commit(task_name: str, *args, **options) -> None:
    transaction.on_commit(lambda: publish_now(task_name, *args, **options))
