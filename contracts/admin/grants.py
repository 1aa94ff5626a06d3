# Admin for datasets, grants and responsibilities.
