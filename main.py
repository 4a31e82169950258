"""Entry point: `python main.py` plays the default scenario; see `python main.py --help`."""

import sys

from engine.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
