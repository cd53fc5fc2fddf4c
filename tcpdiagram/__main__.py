"""`python -m tcpdiagram` runs the command line."""

from .cli import main

main()
