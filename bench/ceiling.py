"""The ceiling for `bench/run`: a bare Flask app with one constant short response.

Served by the same gunicorn settings as the real app, it measures what the framework,
the server and the load tool cost by themselves; every page is reported as a share
of it, since absolute figures drift between machines.
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def constant():
    """A constant short response."""
    return "ok"
