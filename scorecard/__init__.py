"""Children's services scorecard warehouse: shared package for the DAGs and the command line."""

__version__ = "0.1.0"
