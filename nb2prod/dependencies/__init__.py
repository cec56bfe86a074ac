"""Dependencies: what a project declares (:mod:`.declared`) and which distribution provides
an import (:mod:`.distributions`).  Used by the linter, the exporter and tracking."""
