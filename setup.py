"""Build the compiled routing core (Cython, C++); everything else is in pyproject.toml."""

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup

setup(
    ext_modules=cythonize(
        [Extension("routing._ch", ["routing/_ch.pyx"], include_dirs=[np.get_include()],
                   language="c++", extra_compile_args=["-O3", "-std=c++17"],
                   define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")])],
        compiler_directives={"language_level": "3"},
    ),
)
