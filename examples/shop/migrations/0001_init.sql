-- Shop schema, first release.

CREATE TABLE customers (
  id          bigserial PRIMARY KEY,
  email       text NOT NULL,
  name        text NOT NULL,
  country     char(2) NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
-- Exact-match lookups only: `lower(email) = $1` cannot use it.
CREATE UNIQUE INDEX customers_email_key ON customers (email);

CREATE TABLE products (
  id          bigserial PRIMARY KEY,
  sku         text NOT NULL UNIQUE,
  name        text NOT NULL,
  description text,
  price_cents integer NOT NULL CHECK (price_cents >= 0),
  active      boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orders (
  id           bigserial PRIMARY KEY,
  -- No index on customer_id: "orders of a customer" scans the whole table.
  customer_id  bigint NOT NULL REFERENCES customers (id),
  status       text NOT NULL DEFAULT 'pending'
               CHECK (status IN ('delivered', 'shipped', 'paid', 'pending', 'cancelled')),
  total_cents  integer NOT NULL CHECK (total_cents >= 0),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE order_items (
  order_id    bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  product_id  bigint NOT NULL REFERENCES products (id),
  quantity    integer NOT NULL CHECK (quantity BETWEEN 1 AND 20),
  unit_cents  integer NOT NULL,
  PRIMARY KEY (order_id, product_id)
);
