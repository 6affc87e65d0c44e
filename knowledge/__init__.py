"""The knowledge base as data and the keyword search engine over it.

Pure: imports nothing from the other packages of the project.
"""

from pathlib import Path

from knowledge.native import sources_if_stale

# the search engine as compiled by setup.py, unless engine.py or overlay.py changed since
sources_if_stale(__name__, Path(__file__).parent, ("engine", "overlay"))
