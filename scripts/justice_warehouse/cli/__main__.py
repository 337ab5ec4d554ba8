"""``python -m justice_warehouse.cli``: the same command line as ``justice-warehouse``."""

import sys

from justice_warehouse.cli.main import main

sys.exit(main())
