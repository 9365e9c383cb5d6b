"""Allow ``python -m sheetops``."""

from sheetops.cli import main

if __name__ == "__main__":
    main()
