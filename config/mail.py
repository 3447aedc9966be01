"""The development mailer (`EMAIL_BACKEND=console`, what `make run` uses): each message printed as a person
reads it (headers decoded, the plain-text part in UTF-8, attachments named), not as base64 MIME.
"""

import email.policy
from email import message_from_bytes

from django.core.mail.backends.console import EmailBackend as DjangoConsoleBackend


class ConsoleBackend(DjangoConsoleBackend):
    def write_message(self, message):
        parsed = message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
        lines = [
            f"{name}: {parsed[name]}" for name in ("From", "To", "Cc", "Reply-To", "Subject") if parsed[name]
        ]
        text = parsed.get_body(preferencelist=("plain", "html"))
        lines += ["", text.get_content().rstrip() if text is not None else ""]
        attachments = [part.get_filename() or part.get_content_type() for part in parsed.iter_attachments()]
        if parsed.get_body(preferencelist=("html",)) is not None:
            attachments.insert(0, "HTML version")
        if attachments:
            lines += ["", "[" + ", ".join(attachments) + "]"]
        self.stream.write("\n".join(lines) + "\n" + "-" * 79 + "\n")
