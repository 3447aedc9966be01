"""python manage.py poll_bounces

Reads the unseen e-mails of the bounce mailbox (BOUNCE_IMAP_* settings) over IMAP and marks the messages
they return as bounced (surveys/services/bounces.py); the scheduler runs the same every
BOUNCE_POLL_MINUTES when a mailbox is configured. Exit status: 0 read, 1 the mailbox could not be read,
2 no mailbox configured.
"""

import imaplib
import sys

from django.core.management.base import BaseCommand, CommandError

from surveys.services.bounces import poll_configured_mailbox


class Command(BaseCommand):
    help = "Read the bounce mailbox over IMAP and mark the returned messages bounced."

    def handle(self, *args, **opts):
        try:
            report = poll_configured_mailbox()
        except (imaplib.IMAP4.error, OSError) as exc:
            self.stderr.write(f"the bounce mailbox could not be read: {exc}")
            sys.exit(1)
        if report is None:
            raise CommandError("no bounce mailbox: set BOUNCE_IMAP_HOST, _USER and _PASSWORD", returncode=2)
        self.stdout.write(f"read {report.read}, bounced {report.bounced}, ignored {report.ignored}")
