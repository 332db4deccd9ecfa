"""Import pipeline: read -> map -> validate -> anonymise -> place -> store -> add to the marts (lagesbild.store.marts).

One small reader per file format (loaders.readers) turns a file into rows and nothing else; the
shared steps (mapping, values, anonymise, place) and one module per kind of data (loaders.kinds)
turn rows into validated, anonymised staging rows; loaders.pipeline writes them in one transaction.
"""
