"""Names vulture cannot see being used: ``vulture src tests tests/vulture_whitelist.py``.

Each is read by a framework, a template or a protocol, not by our own Python code. (Only the
names count for vulture; ``_`` stands for any object.)
"""

# ruff: noqa: B018, F821
# mypy: ignore-errors

_.Interrupted  # errors: the family's exit status 4, for a command stopped by the user
_.href  # linkeddata page models, read by the Jinja templates
_.snippets
_.date_display
_.precision
_.readable  # integration.fetch: a file object's method, called by the io module
_.sort_keys  # Flask's JSON provider
_.query_text  # flask.g attributes, read back with g.pop("...")
_.query_started
_.query_cached
_.treatygraph_started
_.last_modified  # werkzeug's Response property
_.load_config  # gunicorn's BaseApplication hook
_.connections  # store.sandbox.Relay: counted for its tests
_.max_redirections  # http: urllib's redirect handler reads it
_._fname  # integration.csvw_metadata: csvw's own attribute for relative links
frame  # integration.staging: a signal handler's second argument
_.ignored  # linkeddata page models (pages track), read by the ld_*.html templates
_.css
_.dots
_.width
_.height
_.plot
_.x_label
_.y_label
_.structure
_.observations
_.seekable  # FileChunks: werkzeug asks a streamed body whether it can seek (Range)
