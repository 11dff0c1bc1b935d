"""The GraphQL layer: strawberry types, resolvers and per-request loaders over service.models."""
