"""What error pages and error mails show of the settings and of the request.

Django hides settings whose name looks secret (``*PASSWORD*``, ``*KEY*``, ``*TOKEN*`` …), but a
connection URL carries its password inside the value: ``DATABASE_URL`` in the environment
(which the development server copies into ``request.META``), ``REDIS_URL``,
``CELERY_BROKER_URL``, a cache's ``LOCATION``. Their passwords are masked wherever they appear.
"""

import re

from django.views.debug import SafeExceptionReporterFilter

# scheme://user:password@host — the password ends at the last "@" before the host
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^:/?#@\s]*:)[^/?#\s]*@", re.IGNORECASE)


class CredentialsFilter(SafeExceptionReporterFilter):
    def cleanse_setting(self, key, value):
        value = super().cleanse_setting(key, value)
        if type(value) is str:  # not a lazy object, which would be evaluated
            return _URL_PASSWORD.sub(lambda m: f"{m['head']}{self.cleansed_substitute}@", value)
        return value
