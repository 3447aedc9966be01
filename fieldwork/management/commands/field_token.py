"""python manage.py field_token USERNAME [--rotate]: issue the API token of a field device (or of any
user's script), shown once (docs/operations/api-tokens.md)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from respondents.services.api_tokens import issue_api_token, valid_token_of


class Command(BaseCommand):
    help = (
        "Issue the API token of a user (a tablet or phone, or a script) and print it once. Only its digest "
        "is stored, so an existing token cannot be shown again: --rotate replaces it (lost device, expiry)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--rotate", action="store_true", help="replace the existing token, which stops working at once"
        )

    def handle(self, *args, **opts):
        user = get_user_model().objects.filter(username=opts["username"]).first()
        if user is None:
            raise CommandError(f"unknown user {opts['username']!r}", returncode=2)
        current = valid_token_of(user)
        if current is not None and not opts["rotate"]:
            until = timezone.localtime(current.expires_at).strftime("%Y-%m-%d %H:%M")
            raise CommandError(
                f"{user.username} already has a token ({current.prefix}…, valid until {until}); it cannot be "
                "shown again. Use --rotate to issue a new one (the old one stops working).",
                returncode=3,
            )
        issued = issue_api_token(user=user)
        self.stdout.write(issued.key)
        until = timezone.localtime(issued.token.expires_at).strftime("%Y-%m-%d")
        self.stderr.write(f"valid until {until}; shown only now: copy it to the device")
