"""The Observatory: labour demand, supply and young people's interests side by side."""
