"""The operator's edge: one module per `python main.py <command>` group.

Each module parses its arguments (argparse), asks the composition root (`runtime.services`) for
what the command needs, calls the use case in its package and prints the outcome. Nothing below
imports this package; the packages' own modules never import the runtime.
"""
