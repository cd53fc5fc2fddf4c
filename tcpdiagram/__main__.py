"""`python -m tcpdiagram` runs the command line."""

from .entry import main

main()
