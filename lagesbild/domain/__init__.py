"""Domain facts: areas, taxonomy and the fixed vocabularies of the center."""
