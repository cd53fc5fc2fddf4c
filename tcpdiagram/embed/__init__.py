"""tcpdiagram inside other people's documents: a MkDocs plugin and a Sphinx directive sharing one block format."""
