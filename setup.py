"""The package list for setuptools: the code in app/ is the `myocase` package, resources/ and
db/migrations/ are its data packages `myocase.resources` and `myocase.migrations` (the
mapping is in pyproject.toml)."""

from setuptools import find_namespace_packages, find_packages, setup

DATA = {"myocase.resources": "resources", "myocase.migrations": "db/migrations"}
data_packages = [
    f"{name}.{sub}" if sub else name
    for name, folder in DATA.items()
    for sub in ["", *find_namespace_packages(folder, exclude=["*__pycache__*"])]
]
setup(
    packages=["myocase", *(f"myocase.{name}" for name in find_packages("app")), *data_packages],
    package_data={name: ["*"] for name in data_packages},
)
