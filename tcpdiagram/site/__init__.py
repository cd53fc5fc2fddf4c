"""The bilingual MkDocs site: Markdown pages from the spec, citation links, and MkDocs run in-process."""
