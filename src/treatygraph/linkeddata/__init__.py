"""Linked-data pages and files: resource IRIs, the ontology, browse indexes, timeline,
positions, dumps, the JSON-LD context, VoID and DCAT.

:mod:`treatygraph.linkeddata.views` makes their bodies; the routes are in the one routing
table (:mod:`treatygraph.web.routes`). Importing this package is cheap.
"""
