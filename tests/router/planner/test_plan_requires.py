"""@requires, @provides and @override."""

from __future__ import annotations

from graphql import parse

from router.plan import Fetch, KeyRenamer, Sequence
from router.planner import build_plan
from tests.router.planner.helpers import assert_plan, make_supergraph, plan

STORE = make_supergraph(
    """
type Query @join__type(graph: A) @join__type(graph: B) @join__type(graph: C) {
  products: [Product] @join__field(graph: A)
  topProducts: [Product] @join__field(graph: B)
  reviews: [Review] @join__field(graph: C)
}
type Product
  @join__type(graph: A, key: "upc")
  @join__type(graph: B, key: "upc")
  @join__type(graph: C, key: "upc")
{
  upc: String!
  price: Int @join__field(graph: A) @join__field(graph: B, external: true)
  size: Size @join__field(graph: A) @join__field(graph: B, external: true)
  delivery: Int @join__field(graph: B, requires: "price size { weight }")
  stock: Int @join__field(graph: B)
  name: String @join__field(graph: A) @join__field(graph: C, external: true)
}
type Size @join__type(graph: A) @join__type(graph: B) {
  weight: Int
  height: Int
}
type Review @join__type(graph: C, key: "id") {
  id: ID!
  product: Product @join__field(graph: C, provides: "name")
}
""",
    graphs=("a", "b", "c"),
)

OVERRIDES = make_supergraph(
    """
type Query @join__type(graph: A) @join__type(graph: B) {
  items: [Item] @join__field(graph: A)
}
type Item @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID!
  color: String @join__field(graph: A, usedOverridden: true) @join__field(graph: B, override: "a")
  size: String
    @join__field(graph: A, overrideLabel: "percent(50)")
    @join__field(graph: B, override: "a", overrideLabel: "percent(50)")
}
"""
)


def test_requires_with_nested_selection_travels_in_the_representation() -> None:
    """`delivery` requires `price size { weight }`: A selects them, B gets them as input."""
    assert_plan(
        STORE,
        """{ products { delivery } }""",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "a") {
              {
                products {
                  price
                  size {
                    weight
                  }
                  __typename
                  upc
                }
              }
            },
            Flatten(path: "products.@") {
              Fetch(service: "b") {
                {
                  ... on Product {
                    __typename
                    upc
                    price
                    size {
                      weight
                    }
                  }
                } =>
                {
                  ... on Product {
                    delivery
                  }
                }
              },
            },
          },
        }
        """,
    )


def test_requires_fetched_from_another_subgraph_first() -> None:
    """B owns the root but not `price`/`size`: fetch them from A, then come back to B."""
    assert_plan(
        STORE,
        """{ topProducts { stock delivery } }""",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "b") {
              {
                topProducts {
                  stock
                  __typename
                  upc
                }
              }
            },
            Flatten(path: "topProducts.@") {
              Fetch(service: "a") {
                {
                  ... on Product {
                    __typename
                    upc
                  }
                } =>
                {
                  ... on Product {
                    price
                    size {
                      weight
                    }
                  }
                }
              },
            },
            Flatten(path: "topProducts.@") {
              Fetch(service: "b") {
                {
                  ... on Product {
                    __typename
                    upc
                    price
                    size {
                      weight
                    }
                  }
                } =>
                {
                  ... on Product {
                    delivery
                  }
                }
              },
            },
          },
        }
        """,
    )


def test_requires_at_an_entity_path_waits_for_its_inputs() -> None:
    """`stock` and `delivery` share one B fetch, which runs after A fetched the inputs."""
    assert_plan(
        STORE,
        """{ reviews { product { stock delivery } } }""",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "c") {
              {
                reviews {
                  product {
                    __typename
                    upc
                  }
                }
              }
            },
            Flatten(path: "reviews.@.product") {
              Fetch(service: "a") {
                {
                  ... on Product {
                    __typename
                    upc
                  }
                } =>
                {
                  ... on Product {
                    price
                    size {
                      weight
                    }
                  }
                }
              },
            },
            Flatten(path: "reviews.@.product") {
              Fetch(service: "b") {
                {
                  ... on Product {
                    __typename
                    upc
                    price
                    size {
                      weight
                    }
                  }
                } =>
                {
                  ... on Product {
                    stock
                    delivery
                  }
                }
              },
            },
          },
        }
        """,
    )


def test_provided_field_needs_no_jump() -> None:
    """`Review.product` @provides(fields: "name") in C."""
    assert_plan(
        STORE,
        """{ reviews { product { upc name } } }""",
        """
        QueryPlan {
          Fetch(service: "c") {
            {
              reviews {
                product {
                  upc
                  name
                }
              }
            }
          },
        }
        """,
    )


def test_unprovided_field_still_jumps() -> None:
    """Only `name` is provided; `price` comes from A."""
    assert_plan(
        STORE,
        """{ reviews { product { name price } } }""",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "c") {
              {
                reviews {
                  product {
                    name
                    __typename
                    upc
                  }
                }
              }
            },
            Flatten(path: "reviews.@.product") {
              Fetch(service: "a") {
                {
                  ... on Product {
                    __typename
                    upc
                  }
                } =>
                {
                  ... on Product {
                    price
                  }
                }
              },
            },
          },
        }
        """,
    )


def test_override_moves_a_field_and_an_inactive_label_does_not() -> None:
    """`color` was overridden to B. `size` has a progressive override whose label is off, so
    A keeps it."""
    assert_plan(
        OVERRIDES,
        """{ items { color size } }""",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "a") {
              {
                items {
                  size
                  __typename
                  id
                }
              }
            },
            Flatten(path: "items.@") {
              Fetch(service: "b") {
                {
                  ... on Item {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Item {
                    color
                  }
                }
              },
            },
          },
        }
        """,
    )


PRICED = make_supergraph(
    """
type Query @join__type(graph: A) @join__type(graph: B) {
  products: [Product] @join__field(graph: A)
}
type Product @join__type(graph: A, key: "upc") @join__type(graph: B, key: "upc") {
  upc: String!
  price(currency: String): Int @join__field(graph: A) @join__field(graph: B, external: true)
  tax: Int @join__field(graph: B, requires: "price(currency: \\"EUR\\")")
}
"""
)


def test_required_field_with_arguments_is_aliased_next_to_the_clients_field() -> None:
    """The client's `price` has no arguments; the required `price(currency: "EUR")` gets a
    generated alias and is renamed back to `price` in the representation."""
    built = plan(PRICED, "{ products { price tax } }")
    assert isinstance(built.node, Sequence)
    root, flatten = built.node.nodes
    assert isinstance(root, Fetch)
    assert (
        root.operation == 'query{products{price _price_fed:price(currency:"EUR") __typename upc}}'
    )
    entity = flatten.node  # type: ignore[union-attr]
    assert isinstance(entity, Fetch)
    assert entity.input_rewrites == (KeyRenamer(("... on Product", "_price_fed"), "price"),)
    alone = plan(PRICED, "{ products { tax } }")
    assert isinstance(alone.node, Sequence)
    assert alone.node.nodes[0].operation == (  # type: ignore[union-attr]
        'query{products{price(currency:"EUR") __typename upc}}'
    )


CHAIN = make_supergraph(
    """
type Query @join__type(graph: A) @join__type(graph: B) @join__type(graph: C) {
  products: [Product] @join__field(graph: A)
}
type Product
  @join__type(graph: A, key: "upc")
  @join__type(graph: B, key: "upc")
  @join__type(graph: C, key: "upc")
{
  upc: String!
  z: Int @join__field(graph: A) @join__field(graph: B, external: true)
  y: Int @join__field(graph: B, requires: "z") @join__field(graph: C, external: true)
  x: Int @join__field(graph: C, requires: "y")
  w: Int @join__field(graph: C)
}
""",
    graphs=("a", "b", "c"),
)


def test_requires_chain_across_three_subgraphs() -> None:
    """C's `x` requires `y`, which B computes from A's `z`: A, then B, then C (`w` joins it)."""
    assert_plan(
        CHAIN,
        """{ products { x w } }""",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "a") {
              {
                products {
                  z
                  __typename
                  upc
                }
              }
            },
            Flatten(path: "products.@") {
              Fetch(service: "b") {
                {
                  ... on Product {
                    __typename
                    upc
                    z
                  }
                } =>
                {
                  ... on Product {
                    y
                  }
                }
              },
            },
            Flatten(path: "products.@") {
              Fetch(service: "c") {
                {
                  ... on Product {
                    __typename
                    upc
                    y
                  }
                } =>
                {
                  ... on Product {
                    x
                    w
                  }
                }
              },
            },
          },
        }
        """,
    )


MEDIA = make_supergraph(
    """
type Query @join__type(graph: A) @join__type(graph: B) {
  feed: [Post] @join__field(graph: A)
}
type Post @join__type(graph: A, key: "id") {
  id: ID!
  media: Media @join__field(graph: A, provides: "... on Image { url }")
}
union Media @join__type(graph: A) @join__type(graph: B)
  @join__unionMember(graph: A, member: "Image") @join__unionMember(graph: A, member: "Video")
  @join__unionMember(graph: B, member: "Image") @join__unionMember(graph: B, member: "Video")
  = Image | Video
type Image @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID!
  url: String @join__field(graph: A, external: true) @join__field(graph: B)
}
type Video @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID!
  url: String @join__field(graph: A, external: true) @join__field(graph: B)
}
"""
)


def test_provides_with_a_type_condition_applies_to_that_type_only() -> None:
    """A typed @provides: the Image url is local, the Video url jumps."""
    assert_plan(
        MEDIA,
        """{ feed { media { ... on Image { url } ... on Video { url } } } }""",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "a") {
              {
                feed {
                  media {
                    __typename
                    ... on Image {
                      url
                    }
                    ... on Video {
                      __typename
                      id
                    }
                  }
                }
              }
            },
            Flatten(path: "feed.@.media") {
              Fetch(service: "b") {
                {
                  ... on Video {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Video {
                    url
                  }
                }
              },
            },
          },
        }
        """,
    )


DUTIES = make_supergraph(
    """
type Query @join__type(graph: A) @join__type(graph: B) {
  products: [Product] @join__field(graph: A)
}
type Product @join__type(graph: A, key: "upc") @join__type(graph: B, key: "upc") {
  upc: String!
  price(currency: String): Int @join__field(graph: A) @join__field(graph: B, external: true)
  tax: Int @join__field(graph: B, requires: "price(currency: \\"EUR\\")")
  duty: Int @join__field(graph: B, requires: "price(currency: \\"USD\\")")
  stock: Int @join__field(graph: B)
}
"""
)


def test_same_field_required_with_other_arguments_goes_to_another_fetch() -> None:
    """Both need `price` in the representation, with other arguments: two B fetches."""
    assert_plan(
        DUTIES,
        """{ products { tax duty stock } }""",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "a") {
              {
                products {
                  price(currency: "EUR")
                  __typename
                  upc
                  _price_fed: price(currency: "USD")
                }
              }
            },
            Parallel {
              Flatten(path: "products.@") {
                Fetch(service: "b") {
                  {
                    ... on Product {
                      __typename
                      upc
                      price
                    }
                  } =>
                  {
                    ... on Product {
                      tax
                      stock
                    }
                  }
                },
              },
              Flatten(path: "products.@") {
                Fetch(service: "b") {
                  {
                    ... on Product {
                      __typename
                      upc
                      _price_fed
                    }
                  } =>
                  {
                    ... on Product {
                      duty
                    }
                  }
                },
              },
            },
          },
        }
        """,
    )


SHELVES = make_supergraph(
    """
type Query @join__type(graph: A) @join__type(graph: B) {
  shelves: [Shelf] @join__field(graph: A)
}
type Shelf @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID!
  items: [Media] @join__field(graph: A) @join__field(graph: B, external: true)
  weight: Int
    @join__field(graph: B, requires: "items { ... on Book { pages } ... on Disc { grams } }")
}
interface Media @join__type(graph: A) @join__type(graph: B) {
  id: ID!
}
type Book implements Media
  @join__implements(graph: A, interface: "Media")
  @join__implements(graph: B, interface: "Media")
  @join__type(graph: A)
  @join__type(graph: B)
{
  id: ID!
  pages: Int @join__field(graph: A) @join__field(graph: B, external: true)
}
type Disc implements Media
  @join__implements(graph: A, interface: "Media")
  @join__implements(graph: B, interface: "Media")
  @join__type(graph: A)
  @join__type(graph: B)
{
  id: ID!
  grams: Int @join__field(graph: A) @join__field(graph: B, external: true)
}
"""
)


def test_requires_with_type_conditions_keeps_the_typename_of_abstract_values() -> None:
    """The representation's `items` carry `__typename` so B can type them."""
    assert_plan(
        SHELVES,
        """{ shelves { weight } }""",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "a") {
              {
                shelves {
                  items {
                    __typename
                    ... on Book {
                      pages
                    }
                    ... on Disc {
                      grams
                    }
                  }
                  __typename
                  id
                }
              }
            },
            Flatten(path: "shelves.@") {
              Fetch(service: "b") {
                {
                  ... on Shelf {
                    __typename
                    id
                    items {
                      __typename
                      ... on Book {
                        pages
                      }
                      ... on Disc {
                        grams
                      }
                    }
                  }
                } =>
                {
                  ... on Shelf {
                    weight
                  }
                }
              },
            },
          },
        }
        """,
    )


def test_active_override_label_moves_the_field() -> None:
    assert OVERRIDES.override_labels() == frozenset({"percent(50)"})
    document = parse("{ items { color size } }")
    active = build_plan(OVERRIDES, document, override_labels=frozenset({"percent(50)"}))
    assert isinstance(active.node, Sequence)
    root, flatten = active.node.nodes
    assert isinstance(root, Fetch)
    assert root.operation == "query{items{__typename id}}"
    entity = flatten.node  # type: ignore[union-attr]
    assert isinstance(entity, Fetch)
    assert entity.service_name == "b"
    assert "...on Item{color size}" in entity.operation
    inactive = build_plan(OVERRIDES, document)
    assert "size" in inactive.node.nodes[0].operation  # type: ignore[union-attr]
