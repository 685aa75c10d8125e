"""`python -m kqlhunt` is the `kqlhunt` command."""
from .cli import main

main()
