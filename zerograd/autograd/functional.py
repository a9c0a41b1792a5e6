"""Placeholder: replaced by the functional API (jacobian, hessian, vjp, jvp, hvp)."""
