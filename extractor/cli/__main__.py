"""`python -m extractor.cli …` runs the `xxgk` command."""
from . import main

main()
