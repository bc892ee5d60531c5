import os

from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eldercare.settings")


class AuditedTask(Task):
    """Run every task inside a pghistory context naming the task.

    Row changes a task makes are then traceable to it in the audit trail,
    as request changes are traceable to the user and URL.
    """

    def __call__(self, *args, **kwargs):
        import pghistory

        with pghistory.context(task=self.name, task_id=self.request.id):
            return super().__call__(*args, **kwargs)


app = Celery("eldercare", task_cls=AuditedTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
