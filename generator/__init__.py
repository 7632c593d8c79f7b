"""proxydocs: one proxy.toml renders every proxy snippet of the Colima proxy articles."""
