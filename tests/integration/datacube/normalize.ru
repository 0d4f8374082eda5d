# Normalization algorithm of the Data Cube Recommendation (section 10.2): phase 1 (type and
# property closure) and phase 2 (push down attachment levels), run before the constraints.
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
INSERT { ?o rdf:type qb:Observation } WHERE { [] qb:observation ?o } ;
INSERT { ?o rdf:type qb:Observation } WHERE { ?o qb:dataSet [] } ;
INSERT { ?s rdf:type qb:Slice } WHERE { [] qb:slice ?s } ;
INSERT { ?cs qb:componentProperty ?p . ?p rdf:type qb:DimensionProperty } WHERE { ?cs qb:dimension ?p } ;
INSERT { ?cs qb:componentProperty ?p . ?p rdf:type qb:MeasureProperty } WHERE { ?cs qb:measure ?p } ;
INSERT { ?cs qb:componentProperty ?p . ?p rdf:type qb:AttributeProperty } WHERE { ?cs qb:attribute ?p } ;
INSERT { ?obs ?comp ?value } WHERE {
    ?spec qb:componentProperty ?comp ;
          qb:componentAttachment qb:DataSet .
    ?dataset qb:structure [qb:component ?spec] ;
             ?comp ?value .
    ?obs qb:dataSet ?dataset .
} ;
INSERT { ?obs ?comp ?value } WHERE {
    ?spec qb:componentProperty ?comp ;
          qb:componentAttachment qb:Slice .
    ?dataset qb:structure [qb:component ?spec] ;
             qb:slice ?slice .
    ?slice ?comp ?value ;
           qb:observation ?obs .
} ;
INSERT { ?obs ?comp ?value } WHERE {
    ?spec qb:componentProperty ?comp ;
          qb:componentAttachment qb:MeasureProperty .
    ?dataset qb:structure [qb:component ?spec] .
    ?comp a qb:DimensionProperty .
    ?measure a qb:MeasureProperty ;
             ?comp ?value .
    ?obs qb:dataSet ?dataset ;
         ?measure [] .
}
