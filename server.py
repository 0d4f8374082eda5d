"""WSGI entry point: ``gunicorn --preload server:app`` (prefer ``treatygraph serve``)."""

from treatygraph.web.app import create_app

app = create_app()
