"""python -m playground.lab is python -m playground lab."""
from playground.lab.cli import main

if __name__ == '__main__':
    main()
