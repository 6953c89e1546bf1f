"""parley's Python tooling (stdlib only): the mutation self-test runner (parley.mutation), the
pytest plugin for users (parley.pytest_plugin), and the helpers they share to start real targets
on loopback and run the built `parley` binary (parley.targets)."""
