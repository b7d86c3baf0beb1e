from tests.enterprises.conftest import categories  # noqa: F401 - the same autouse fixture here
