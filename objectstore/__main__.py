import sys

from objectstore.cli import main

sys.exit(main())
