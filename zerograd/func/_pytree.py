"""A small pytree: nested tuples / lists / dicts (and namedtuples, OrderedDicts, defaultdicts)
flattened the way `torch.utils._pytree` flattens them.

Containers are walked depth first, dicts in insertion order; everything else - tensors, numbers,
strings, None - is a leaf.  A `TreeSpec` records the shape of the containers so that a list of
leaves can be put back (`tree_unflatten`); its `repr` and `treespec_pprint` give the same text
as torch's, because the func transforms quote them in their error messages.
"""
from __future__ import annotations

import collections

__all__ = ["TreeSpec", "LeafSpec", "tree_flatten", "tree_unflatten", "tree_leaves", "tree_map",
           "broadcast_prefix", "treespec_pprint"]


def _is_namedtuple(obj) -> bool:
    return isinstance(obj, tuple) and hasattr(type(obj), "_fields")


def _kind(obj):
    """The container kind of `obj`, or None for a leaf.  (Exact types, as torch registers them:
    a subclass of dict or list that is not one of these is a leaf.)"""
    t = type(obj)
    if t is tuple or t is list or t is dict:
        return t
    if t is collections.OrderedDict or t is collections.defaultdict or t is collections.deque:
        return t
    if _is_namedtuple(obj):
        return "namedtuple"
    return None


def _children(obj, kind):
    """(children, context) of a container."""
    if kind is tuple or kind is list or kind is collections.deque:
        return list(obj), None
    if kind == "namedtuple":
        return list(obj), type(obj)
    if kind is collections.defaultdict:
        return list(obj.values()), [obj.default_factory, list(obj.keys())]
    return list(obj.values()), list(obj.keys())      # dict, OrderedDict


class TreeSpec:
    """The container structure of a pytree (a leaf is `LeafSpec`)."""

    __slots__ = ("type", "context", "children_specs", "num_leaves")

    def __init__(self, type, context, children_specs):  # noqa: A002  (torch's field name)
        self.type = type
        self.context = context
        self.children_specs = list(children_specs)
        self.num_leaves = sum(c.num_leaves for c in self.children_specs)

    @property
    def num_children(self) -> int:
        return len(self.children_specs)

    def is_leaf(self) -> bool:
        return False

    def _type_name(self) -> str:
        if self.type == "namedtuple":
            return "namedtuple"
        return self.type.__name__

    def __eq__(self, other):
        if not isinstance(other, TreeSpec):
            return NotImplemented
        if other.is_leaf():
            return False
        return (self.type == other.type and self.context == other.context
                and self.children_specs == other.children_specs)

    def __ne__(self, other):
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    __hash__ = None

    def __repr__(self, indent: int = 0) -> str:
        parts = [c.__repr__(indent + 2) for c in self.children_specs]
        inner = (",\n" + " " * (indent + 2)).join(parts)
        return f"TreeSpec({self._type_name()}, {self.context!r}, [{inner}])"

    def unflatten(self, leaves):
        return tree_unflatten(leaves, self)


class LeafSpec(TreeSpec):
    """The spec of a leaf: printed as '*'."""

    __slots__ = ()

    def __init__(self):
        self.type = None
        self.context = None
        self.children_specs = []
        self.num_leaves = 1

    def is_leaf(self) -> bool:
        return True

    def __eq__(self, other):
        return isinstance(other, LeafSpec)

    def __repr__(self, indent: int = 0) -> str:
        return "*"


_LEAF = LeafSpec()


def _flatten(obj, leaves):
    kind = _kind(obj)
    if kind is None:
        leaves.append(obj)
        return _LEAF
    children, ctx = _children(obj, kind)
    return TreeSpec(kind, ctx, [_flatten(c, leaves) for c in children])


def tree_flatten(tree):
    """(list of leaves, TreeSpec)."""
    leaves = []
    spec = _flatten(tree, leaves)
    return leaves, spec


def tree_leaves(tree) -> list:
    return tree_flatten(tree)[0]


def _build(spec, it):
    if spec.is_leaf():
        return next(it)
    children = [_build(c, it) for c in spec.children_specs]
    kind = spec.type
    if kind is tuple:
        return tuple(children)
    if kind is list:
        return children
    if kind is collections.deque:
        return collections.deque(children)
    if kind == "namedtuple":
        return spec.context(*children)
    if kind is collections.defaultdict:
        factory, keys = spec.context
        return collections.defaultdict(factory, zip(keys, children))
    return kind(zip(spec.context, children))


def tree_unflatten(leaves, spec):
    leaves = list(leaves)
    if len(leaves) != spec.num_leaves:
        raise ValueError(f"treespec.unflatten(leaves): `leaves` has length {len(leaves)} but the "
                         f"spec refers to a pytree that holds {spec.num_leaves} items ({spec}).")
    return _build(spec, iter(leaves))


def tree_map(fn, tree):
    leaves, spec = tree_flatten(tree)
    return tree_unflatten([fn(x) for x in leaves], spec)


def broadcast_prefix(prefix, spec):
    """Flatten `prefix` against the full structure `spec`: each leaf of `prefix` is repeated over
    the subtree it stands for.  None when `prefix` is not a prefix of `spec`."""
    out = []

    def walk(p, s):
        kind = _kind(p)
        if kind is None:                    # a leaf of the prefix covers the whole subtree
            out.extend([p] * s.num_leaves)
            return True
        if s.is_leaf() or kind != s.type:
            return False
        children, ctx = _children(p, kind)
        if len(children) != s.num_children:
            return False
        if kind is dict:
            # torch checks the keys as a set but then pairs the children by position: a prefix
            # {'a': 0, 'b': None} against {'b': x, 'a': y} maps 0 to x.  Kept, to match it.
            if set(ctx) != set(s.context):
                return False
        elif ctx != s.context:
            return False
        return all(walk(c, cs) for c, cs in zip(children, s.children_specs))

    return out if walk(prefix, spec) else None


def treespec_pprint(spec) -> str:
    """torch's short form: '*' for a leaf, '(*, *)', '[*, [*]]', "{'a': *}", 'NT(a=*, b=*)'."""
    def fmt(s):
        if s.is_leaf():
            return "*"
        kids = [fmt(c) for c in s.children_specs]
        kind = s.type
        if kind is tuple:
            return "(" + kids[0] + ",)" if len(kids) == 1 else "(" + ", ".join(kids) + ")"
        if kind is list:
            return "[" + ", ".join(kids) + "]"
        if kind is collections.deque:
            return "deque([" + ", ".join(kids) + "])"
        if kind == "namedtuple":
            fields = s.context._fields
            return (s.context.__name__ + "(" +
                    ", ".join(f"{f}={k}" for f, k in zip(fields, kids)) + ")")
        if kind is collections.OrderedDict:
            return "OrderedDict([" + ", ".join(f"({key!r}, {k})" for key, k in
                                               zip(s.context, kids)) + "])"
        keys = s.context[1] if kind is collections.defaultdict else s.context
        body = "{" + ", ".join(f"{key!r}: {k}" for key, k in zip(keys, kids)) + "}"
        return body if kind is dict else f"defaultdict({body})"
    return fmt(spec)
