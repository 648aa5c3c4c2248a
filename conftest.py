# Import the package before pytest collects its modules for their doctests. Collected first,
# src/tinynet/gradcheck.py would be imported by pytest itself, which then binds the submodule
# to tinynet.gradcheck and hides the function of that name that its doctests call.
import tinynet  # noqa: F401
