"""``python -m runform.cli``."""

from runform.cli import main

main()
