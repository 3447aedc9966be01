"""manage.py purge_jobs [--keep-days N]: deletes the files of background jobs done more than N days ago
(settings.JOBS_KEEP_DAYS by default). Each new job does the same; run it daily from cron too."""

from django.core.management.base import BaseCommand, CommandError

from jobs.services import purge_expired_files


class Command(BaseCommand):
    help = "Delete the files of background jobs done more than JOBS_KEEP_DAYS days ago."

    def add_arguments(self, parser):
        parser.add_argument("--keep-days", type=int, default=None, help="days to keep (JOBS_KEEP_DAYS)")

    def handle(self, *args, keep_days=None, **options):
        if keep_days is not None and keep_days < 0:
            raise CommandError("--keep-days phải là số ngày không âm.")
        report = purge_expired_files(keep_days=keep_days)
        self.stdout.write(f"Đã xoá tệp của {len(report.deleted)} công việc chạy nền.")
