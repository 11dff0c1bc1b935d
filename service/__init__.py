"""quotegraph: news articles -> who said what, served over GraphQL."""
