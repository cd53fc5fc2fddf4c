"""tcpdiagram: TCP state diagrams, sequence charts and a bilingual site from one YAML spec."""

__version__ = "0.1.0"
