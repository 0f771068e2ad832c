"""lit's main() in the Python that runs this file, with lit's package from the site-packages folder
given first (the tools venv's; lit is pure Python). lit.cfg.py decides features such as
python-ge-311 from the interpreter lit itself runs in, so lit runs in the Python under test.

    python run_lit.py <site-packages> [lit arguments ...]
"""
import sys

if __name__ == "__main__":
    site = sys.argv.pop(1)
    # lit's notes and errors start with the program's name: lit's, not this file's.
    sys.argv[0] = "lit"
    # The path `python -c` gives: the working directory first, not this file's folder; lit's package before it.
    sys.path[0] = ""
    sys.path.insert(0, site)
    from lit.main import main

    main()
