"""W3C SPARQL 1.1 conformance harness: protocol, query evaluation and service description suites."""
