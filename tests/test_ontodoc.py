"""The generated ontology documentation documents every term of the ontology."""

from __future__ import annotations

from html.parser import HTMLParser

from rdflib import Graph
from rdflib.namespace import RDF, RDFS

from treatygraph.build.ontodoc import render_html
from treatygraph.corpus.project import Project, read_all
from treatygraph.rdf.iris import TG


class Sections(HTMLParser):
    """Collect the id of every term section and the text inside it."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.text: dict[str, str] = {}
        self._current: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "section" and values.get("class") == "term":
            self._current = values["id"] or ""
            self.ids.append(self._current)
            self.text[self._current] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._current = None

    def handle_data(self, data: str) -> None:
        if self._current:
            self.text[self._current] += data


def test_every_term_has_a_section_with_label_and_comment(project: Project) -> None:
    ontology: Graph = read_all(project.ontology_files)
    parser = Sections()
    parser.feed(render_html(ontology))
    terms = {
        str(s)[len(str(TG)) :]
        for s in ontology.subjects(RDF.type, None)
        if str(s).startswith(str(TG))
    }
    assert set(parser.ids) == terms
    assert len(parser.ids) == len(terms)  # each term documented once
    for name in terms:
        label = str(ontology.value(TG[name], RDFS.label))
        comment = " ".join(str(ontology.value(TG[name], RDFS.comment)).split())
        assert label in parser.text[name]
        assert comment in " ".join(parser.text[name].split())
