"""The knowledge base as data and the keyword search engine over it.

Pure: imports nothing from the other packages of the project.
"""
