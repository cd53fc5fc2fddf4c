"""Renderers: Graphviz state diagrams and our own SVG sequence charts, both from the frozen model."""
