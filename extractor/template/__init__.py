"""Find the three template tables, detect the version and map every printed cell to its key."""
