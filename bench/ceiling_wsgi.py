"""The WSGI application the benchmarks serve: ``/__ceiling__`` answers a fixed string straight
from WSGI (the ceiling of gunicorn + Python on this machine); every other path goes to Django.

No product code is added for the ceiling: it lives here, in the benchmark wrapper.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from lms.wsgi import application as django_application  # noqa: E402

CEILING_BODY = b"ok"


def application(environ, start_response):
    if environ.get("PATH_INFO") == "/__ceiling__":
        start_response(
            "200 OK",
            [("Content-Type", "text/plain"), ("Content-Length", str(len(CEILING_BODY)))],
        )
        return [CEILING_BODY]
    return django_application(environ, start_response)
