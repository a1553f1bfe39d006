"""``python -m services.axis --port N --data DIR [--systems FILE.json]``"""
from services.axis.server import main

if __name__ == "__main__":
    main()
