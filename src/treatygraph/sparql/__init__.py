"""SPARQL 1.1 Protocol endpoint: request handling, safety checks, result formats."""
