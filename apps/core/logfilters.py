"""Keep identity and phone numbers out of the request loggers.

Django logs the path of every 404 and 5xx (``django.request``) and the
development server every request line (``django.server``). No URL of ours
carries a number, but one typed into the address bar would be logged as is:
these loggers mask anything shaped like a resident identity number or a
mainland mobile number before any handler sees the record.
"""

import logging
import re

_NUMBERS = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15}|1[3-9]\d{9})(?![0-9A-Za-z])")
LOGGERS = ("django.request", "django.server", "django.security")


def mask(text: str) -> str:
    return _NUMBERS.sub(lambda m: m.group(0)[:3] + "*" * (len(m.group(0)) - 3), text)


class MaskNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


def install() -> None:
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskNumbers) for f in logger.filters):
            logger.addFilter(MaskNumbers())
